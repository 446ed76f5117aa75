// The result of an apply, per device: confirmed or rolled back, at which step, and what the
// health gates expected and saw. Device text is escaped, and its output prefixed on every line
// (terminal-safe.ts), so that a device cannot print a line of ours such as "confirmed".
import pc from "picocolors";
import type { DeviceOutcome } from "../model/outcome.ts";
import { deviceLines, safeLine, safeMessage } from "./terminal-safe.ts";

export function formatOutcome(o: DeviceOutcome, color = false): string {
  const p = pc.createColors(color);
  const verdict =
    o.result === "confirmed"
      ? p.green("confirmed")
      : o.result === "rolled-back"
        ? p.yellow(`rolled back (${o.failedStep})`)
        : o.result === "not-applied"
          ? p.yellow("not applied (unchanged)")
          : o.result === "reverting"
            ? p.red(
                `reverting by itself${o.revertsAt ? ` at ${o.revertsAt}` : ""} (${o.failedStep ?? "?"} failed)`,
              )
            : p.red(`${o.result} at ${o.failedStep ?? "?"}`);
  const lines = [`${p.bold(safeLine(o.device))}: ${verdict}`];
  if (o.error) lines.push(`    ${safeMessage(o.error.message, "    | ")}`);
  if (o.error?.output)
    lines.push(deviceLines(o.error.output.trimEnd().split("\n").slice(-10).join("\n"), "    | "));
  for (const w of o.warnings ?? []) lines.push(`    ${p.yellow("warning:")} ${safeMessage(w, "    | ")}`);
  for (const c of o.health?.checks ?? []) {
    lines.push(
      `    ${c.ok ? p.green("ok  ") : p.red("FAIL")} ${safeLine(c.name)}: expected ${safeLine(c.expected)}, saw ${safeLine(c.seen)}`,
    );
  }
  return lines.join("\n");
}
