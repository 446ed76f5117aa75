// A plan as an operator reads it on a terminal, as Terraform's and Ansible's are read: per device,
// the semantic changes first (each changed item with its changed attributes, one per line, nested
// values as indented trees, secrets as "(sensitive)": plan-tree.ts), what is on the device but not
// in git with its value, then the exact file diffs (or, for a command-shaped platform, the
// commands in the order they are sent); at the end the totals. Everything read from a device or a
// file goes through terminal-safe.ts: escaped, and device output and notices prefixed on every
// line, so that a device cannot print a line of ours.
import pc from "picocolors";
import type { Change, DevicePlan, Plan } from "../model/plan.ts";
import { formatImpact } from "./impact-text.ts";
import { changeTreeLines, type Paint, unmanagedLines } from "./plan-tree.ts";
import { deviceLines, safeLine, safeMessage, safeText } from "./terminal-safe.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The changes of a device or a plan counted as Terraform counts them. */
function countChanges(changes: readonly Change[]): Record<Change["action"], number> {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[c.action]++;
  return n;
}

const counted = (n: Record<Change["action"], number>) =>
  `${n.create} to add, ${n.update} to change, ${n.delete} to remove`;

function painter(color: boolean): Paint {
  const p = pc.createColors(color);
  return (action, line) => (action === "create" ? p.green : action === "delete" ? p.red : p.yellow)(line);
}

function colorDiff(diff: string, color: boolean): string {
  const p = pc.createColors(color);
  return diff
    .split("\n")
    .filter((l) => !l.startsWith("Index: ") && !l.startsWith("====="))
    .map(safeText)
    .map((l) =>
      l.startsWith("+++") || l.startsWith("---")
        ? p.bold(l)
        : l.startsWith("+")
          ? p.green(l)
          : l.startsWith("-")
            ? p.red(l)
            : l.startsWith("@@")
              ? p.cyan(l)
              : l,
    )
    .map((l) => `    ${l}`)
    .join("\n")
    .trimEnd();
}

/**
 * A device's error without the device's name in front (the line already starts with it): errors
 * from the transport and drivers are worded to stand alone in a log, "core-1: ...".
 */
function errorMessage(d: DevicePlan): string {
  const message = d.error?.message ?? "unknown error";
  return message.startsWith(`${d.device}: `) ? message.slice(d.device.length + 2) : message;
}

export function formatDevicePlan(d: DevicePlan, opts: { color?: boolean; files?: boolean } = {}): string {
  const color = opts.color ?? false;
  const p = pc.createColors(color);
  const lines: string[] = [];
  const name = `${p.bold(safeLine(d.device))} (${safeLine(d.platform)})`;
  if (d.status === "error") {
    // A platform without a driver was never read: said as such, not as a failure to read it.
    const what = d.error?.kind === "UnsupportedPlatform" ? p.yellow("not read") : p.red("error");
    lines.push(`${name}: ${what}: ${safeMessage(errorMessage(d), "    | ")}`);
    if (d.error?.command) lines.push(`    command: ${safeLine(d.error.command)}`);
    if (d.error?.output)
      lines.push(deviceLines(d.error.output.trimEnd().split("\n").slice(-10).join("\n"), "    | "));
    return lines.join("\n");
  }
  const written = d.commands
    ? plural(d.commands.length, "command")
    : d.files.length > 0
      ? plural(d.files.length, "file")
      : "";
  // Files that differ with nothing differing in the model (a hand edit of a managed file's
  // comment, a file rendered differently by a newer reconciler) are said as such.
  const summary =
    d.status === "unchanged"
      ? p.dim("no changes")
      : d.changes.length === 0
        ? `nothing differs in the model, but the device's configuration does (${written})`
        : `${counted(countChanges(d.changes))}${written ? ` (${written})` : ""}`;
  lines.push(`${name}: ${summary}`);
  for (const n of d.notices ?? []) lines.push(p.magenta(deviceLines(n.trimEnd(), "  ! ")));
  lines.push(...changeTreeLines(d.changes, painter(color)));
  for (const u of d.unmanaged) lines.push(...unmanagedLines(u).map((l) => p.dim(l)));
  if (opts.files !== false) {
    if (d.commands && d.commands.length > 0) {
      // Each command as it is sent, over as many lines as it has (a heredoc is read as one), after
      // a comment saying what it does: the block reads as the script it is.
      lines.push("  commands, in the order they are sent:");
      for (const c of d.commands) {
        if (c.description) lines.push(p.dim(`    # ${safeLine(c.description)}`));
        for (const line of c.line.split("\n")) lines.push(p.cyan(`    ${safeText(line)}`));
      }
    }
    for (const f of d.files) {
      lines.push(`  ${f.action} file ${safeLine(f.path)}`);
      lines.push(colorDiff(f.diff, color));
    }
  }
  return lines.join("\n");
}

/** The last line: what the plan adds, changes and removes, on how many devices. */
function planTotals(plan: Plan): string {
  const changed = plan.devices.filter((d) => d.status === "changes");
  const count = (s: DevicePlan["status"]) => plan.devices.filter((d) => d.status === s).length;
  return `Plan from ${safeLine(plan.origin)}: ${counted(countChanges(changed.flatMap((d) => d.changes)))} on ${plural(changed.length, "device")} (${count("unchanged")} unchanged, ${count("error")} failed).`;
}

export function formatPlan(plan: Plan, opts: { color?: boolean; files?: boolean } = {}): string {
  const parts = plan.devices.map((d) => formatDevicePlan(d, opts));
  parts.push(planTotals(plan));
  if (plan.impact) parts.push(formatImpact(plan.impact, opts.color));
  return `${parts.join("\n\n")}\n`;
}
