// The result of an apply, per device: confirmed or rolled back, at which step, and what the
// health gates expected and saw.
import pc from "picocolors";
import type { DeviceOutcome } from "../apply/executor.ts";

export function formatOutcome(o: DeviceOutcome, color = false): string {
  const p = color ? pc : pc.createColors(false);
  const verdict =
    o.result === "confirmed"
      ? p.green("confirmed")
      : o.result === "rolled-back"
        ? p.yellow(`rolled back (${o.failedStep})`)
        : p.red(`${o.result} at ${o.failedStep ?? "?"}`);
  const lines = [`${p.bold(o.device)}: ${verdict}`];
  if (o.error) lines.push(`    ${o.error.message}`);
  if (o.error?.output)
    lines.push(
      ...o.error.output
        .trimEnd()
        .split("\n")
        .slice(-10)
        .map((l) => `    | ${l}`),
    );
  for (const c of o.health?.checks ?? []) {
    lines.push(
      `    ${c.ok ? p.green("ok  ") : p.red("FAIL")} ${c.name}: expected ${c.expected}, saw ${c.seen}`,
    );
  }
  return lines.join("\n");
}
