// A plan as an operator reads it on a terminal: per device, the semantic changes first (what
// will change, in the model's words), then the exact file diffs, then what is unmanaged.
// Everything read from a device or a file goes through terminal-safe.ts: escaped, and device
// output and notices prefixed on every line, so that a device cannot print a line of ours.
import pc from "picocolors";
import type { Change, DevicePlan, Plan } from "../model/plan.ts";
import { deviceLines, safeLine, safeMessage, safeText } from "./terminal-safe.ts";

const SYMBOL: Record<Change["action"], string> = { create: "+", update: "~", delete: "-" };

function short(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const line = text === undefined ? "" : safeLine(text);
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

export function formatChange(c: Change, color = false): string {
  const p = color ? pc : pc.createColors(false);
  const paint = c.action === "create" ? p.green : c.action === "delete" ? p.red : p.yellow;
  const detail =
    c.action === "update"
      ? `${short(c.before)} -> ${short(c.after)}`
      : short(c.action === "create" ? c.after : c.before);
  return paint(`  ${SYMBOL[c.action]} ${safeLine(c.path)}${detail ? `: ${detail}` : ""}`);
}

function colorDiff(diff: string, color: boolean): string {
  const p = color ? pc : pc.createColors(false);
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

export function formatDevicePlan(d: DevicePlan, opts: { color?: boolean; files?: boolean } = {}): string {
  const color = opts.color ?? false;
  const p = color ? pc : pc.createColors(false);
  const lines: string[] = [];
  const name = `${p.bold(safeLine(d.device))} (${safeLine(d.platform)})`;
  if (d.status === "error") {
    lines.push(`${name}: ${p.red("error")}: ${safeMessage(d.error?.message ?? "unknown error", "    | ")}`);
    if (d.error?.command) lines.push(`    command: ${safeLine(d.error.command)}`);
    if (d.error?.output)
      lines.push(deviceLines(d.error.output.trimEnd().split("\n").slice(-10).join("\n"), "    | "));
    return lines.join("\n");
  }
  const summary =
    d.status === "unchanged"
      ? p.dim("no changes")
      : `${d.changes.length} change${d.changes.length === 1 ? "" : "s"}, ${
          d.commands
            ? `${d.commands.length} command${d.commands.length === 1 ? "" : "s"}`
            : `${d.files.length} file${d.files.length === 1 ? "" : "s"}`
        }`;
  lines.push(`${name}: ${summary}`);
  for (const n of d.notices ?? []) lines.push(p.magenta(deviceLines(n.trimEnd(), "  ! ")));
  for (const c of d.changes) lines.push(formatChange(c, color));
  if (opts.files !== false) {
    if (d.commands && d.commands.length > 0) {
      lines.push("  commands, in the order they are sent:");
      for (const c of d.commands)
        lines.push(
          `    ${p.cyan(safeLine(c.line))}${c.description ? p.dim(`  # ${safeLine(c.description)}`) : ""}`,
        );
    }
    for (const f of d.files) {
      lines.push(`  ${f.action} file ${safeLine(f.path)}`);
      lines.push(colorDiff(f.diff, color));
    }
  }
  for (const u of d.unmanaged)
    lines.push(p.dim(`  ? ${safeLine(u.path)}: on the device, not in git (unmanaged)`));
  return lines.join("\n");
}

export function formatPlan(plan: Plan, opts: { color?: boolean; files?: boolean } = {}): string {
  const parts = plan.devices.map((d) => formatDevicePlan(d, opts));
  const count = (s: DevicePlan["status"]) => plan.devices.filter((d) => d.status === s).length;
  parts.push(
    `Plan from ${safeLine(plan.origin)}: ${count("changes")} to change, ${count("unchanged")} unchanged, ${count("error")} failed.`,
  );
  return `${parts.join("\n\n")}\n`;
}
