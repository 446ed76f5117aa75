// What a plan says on GitHub, computed without GitHub: the conclusion, the one-line headline,
// the per-device table, the plan text in a code block cut to a size, and the annotations. The
// check run and the pull request comment are both built from these, so they cannot disagree.
import type { DevicePlan, Plan } from "../model/plan.ts";
import { byteLength, cutToFit, fenceFor, inlineText, stripAnsi } from "./markdown.ts";

export type PlanConclusion = "success" | "neutral" | "failure";

/** failure: a device could not be read; neutral: there are changes; success: nothing to do. */
export function planConclusion(plan: Plan): PlanConclusion {
  if (plan.devices.some((d) => d.status === "error")) return "failure";
  if (plan.devices.some((d) => d.status === "changes")) return "neutral";
  return "success";
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 devices to change, 1 could not be read, 5 unchanged", or "no changes (3 devices)". */
export function planHeadline(plan: Plan): string {
  const count = (s: DevicePlan["status"]) => plan.devices.filter((d) => d.status === s).length;
  const [changes, errors, unchanged] = [count("changes"), count("error"), count("unchanged")];
  if (plan.devices.length === 0) return "no devices selected";
  if (changes === 0 && errors === 0) return `no changes (${plural(unchanged, "device")})`;
  const parts: string[] = [];
  if (changes > 0) parts.push(`${plural(changes, "device")} to change`);
  if (errors > 0) parts.push(`${errors} could not be read`);
  if (unchanged > 0) parts.push(`${unchanged} unchanged`);
  return parts.join(", ");
}

/** The plan hash cut to a readable length for titles (the full hash is in the body). */
export const shortHash = (planHash: string): string => planHash.replace(/^[A-Za-z0-9-]+:/, "").slice(0, 12);

function statusCell(d: DevicePlan): string {
  if (d.status === "changes") return "changes";
  if (d.status === "unchanged") return "unchanged";
  const first = (d.error?.message ?? "unknown error").split("\n")[0] ?? "";
  return `**could not be read**: ${inlineText(first, 120)}`;
}

// The devices that need a reader's attention first, so that a table cut to a size keeps them.
const RANK: Record<DevicePlan["status"], number> = { error: 0, changes: 1, unchanged: 2 };

/**
 * The per-device table (device, platform, status, number of changes) within `maxBytes`: when
 * the fleet is too large for it, the rows that fit (errors, then changes, then unchanged) and a
 * line saying how many more devices there are.
 */
export function deviceTable(plan: Plan, maxBytes: number): string {
  const header = "| device | platform | status | changes |\n|---|---|---|---:|\n";
  const rows = plan.devices
    .map((d, i) => ({ d, i }))
    .sort((a, b) => RANK[a.d.status] - RANK[b.d.status] || a.i - b.i)
    .map(
      ({ d }) =>
        `| ${inlineText(d.device)} | ${inlineText(d.platform)} | ${statusCell(d)} | ${
          d.status === "error" ? "–" : d.changes.length
        } |\n`,
    );
  let out = header;
  let used = byteLength(header);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as string;
    const rest = `\n... and ${rows.length - i} more devices, see the plan text\n`;
    const tail = i === rows.length - 1 ? 0 : byteLength(rest);
    if (used + byteLength(row) + tail > maxBytes) return out + rest;
    out += row;
    used += byteLength(row);
  }
  return out;
}

/**
 * The plan text as a fenced code block of at most `maxBytes`, colours stripped; when it does
 * not fit, its beginning and a note with the number of characters left out. The workflow log
 * has the whole plan, because `reconciler plan` prints it there.
 */
export function planTextBlock(text: string, maxBytes: number, logUrl?: string): string {
  const plain = stripAnsi(text).replace(/\s+$/, "");
  const fence = fenceFor(plain);
  const open = `${fence}text\n`;
  const close = `\n${fence}\n`;
  const where = logUrl ? `the [workflow log](${logUrl})` : "the workflow log";
  const note = (n: number) => `\n... ${n} characters more, see ${where} for the whole plan.\n`;
  const fixed = byteLength(open) + byteLength(close);
  const { text: kept, omitted } = cutToFit(plain, maxBytes - fixed, note);
  const body = kept.replace(/\n$/, "");
  return omitted > 0 ? `${open}${body}${close}${note(omitted)}` : `${open}${body}${close}`;
}

/** A check run annotation, as the Checks API takes it. */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

// GitHub's limits on an annotation: a title of 255 characters, a message of 64 KB. The message
// here is a list of change paths, cut far below that: the plan text has the details.
const MAX_ANNOTATION_CHANGES = 50;

/**
 * One annotation per device with an error or changes: an error on inventory/inventory.yaml (the
 * device's address and credentials are there), changes on desired/<device>.yaml (where its
 * desired state is). Line 1: the plan does not know the line of the device's entry.
 */
export function planAnnotations(plan: Plan): Annotation[] {
  const out: Annotation[] = [];
  for (const d of plan.devices) {
    if (d.status === "error") {
      const message = stripAnsi(d.error?.message ?? "unknown error");
      out.push({
        path: "inventory/inventory.yaml",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        title: `${d.device}: could not be read`.slice(0, 255),
        message: cutToFit(message, 8_000, (n) => `\n... ${n} characters more`).text,
      });
    } else if (d.status === "changes") {
      const shown = d.changes.slice(0, MAX_ANNOTATION_CHANGES).map((c) => {
        const symbol = c.action === "create" ? "+" : c.action === "delete" ? "-" : "~";
        return `${symbol} ${stripAnsi(c.path).replace(/\s+/g, " ").slice(0, 200)}`;
      });
      const more = d.changes.length - shown.length;
      if (more > 0) shown.push(`... and ${more} more, see the plan text`);
      out.push({
        path: `desired/${d.device}.yaml`,
        start_line: 1,
        end_line: 1,
        annotation_level: "notice",
        title: `${d.device}: ${plural(d.changes.length, "change")}`.slice(0, 255),
        message: shown.length > 0 ? shown.join("\n") : "changes (see the plan text)",
      });
    }
  }
  return out;
}
