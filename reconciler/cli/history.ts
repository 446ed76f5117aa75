// `reconciler history [DEVICE]`: the runs recorded in the state store (runs.ts), newest first, one
// line a run (run id, start, command, revision or origin, result, who) and one line a device (its
// result, where it failed, its changes and time, the error, the failed health checks); with a
// device, only the runs that reached or restored it and only its line. A damaged record is named
// on a warning line and skipped; an empty or missing store says so. Exit 0, or 1 when the runs
// directory cannot be listed at all. Every text read from the store is printed through
// safeLine: a record holds device text (errors, health checks) and a store can be tampered with.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { safeLine } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { RUNS_DIR, type RunRecord, readRunRecords } from "../state/runs.ts";
import { EXIT } from "./exit-codes.ts";
import { stateDir } from "./run-lock.ts";

/**
 * What JSON.stringify leaves as it is but a terminal acts on (DEL, C1 controls, bidi marks,
 * embeddings, overrides and isolates, Unicode line separators), escaped as JSON \u escapes: the
 * output is still the same JSON value.
 */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function jsonForTerminal(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(
    UNSAFE_AFTER_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  )}\n`;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** The warning line naming damaged run records, or undefined. */
export function damagedLine(dir: string, damaged: string[]): string | undefined {
  if (damaged.length === 0) return undefined;
  return `warning: cannot read ${plural(damaged.length, "run record")} in ${safeLine(join(dir, RUNS_DIR))}, skipped: ${damaged.map(safeLine).join(", ")}`;
}

export function formatRunLine(r: RunRecord): string {
  const rev = r.revision ? safeLine(r.revision.slice(0, 12)) : safeLine(r.origin ?? "unknown origin");
  return `${safeLine(r.runId)}  ${safeLine(r.startedAt)}  ${safeLine(r.command)}  ${rev}  ${safeLine(r.result)}  by ${safeLine(r.by ?? "unknown")}`;
}

export function formatDeviceLines(r: RunRecord, device?: string): string[] {
  const lines: string[] = [];
  for (const d of r.devices) {
    if (device !== undefined && d.device !== device) continue;
    const facts = [plural(d.changes, "change")];
    if (typeof d.seconds === "number") facts.push(`${d.seconds.toFixed(1)} s`);
    const at = d.failedStep ? ` at ${safeLine(d.failedStep)}` : "";
    const error = d.error ? `: ${safeLine(d.error)}` : "";
    lines.push(`  ${safeLine(d.device)}: ${safeLine(d.result)}${at} (${facts.join(", ")})${error}`);
    for (const c of d.health?.checks ?? []) {
      if (c.ok) continue;
      lines.push(
        `    health check failed: ${safeLine(String(c.name))}: expected ${safeLine(String(c.expected))}, seen ${safeLine(String(c.seen))}`,
      );
    }
  }
  for (const x of r.restored ?? []) {
    if (device !== undefined && x.device !== device) continue;
    lines.push(`  ${safeLine(x.device)}: restored the snapshot of run ${safeLine(x.fromRun)}`);
  }
  return lines;
}

const involves = (r: RunRecord, device: string) =>
  r.devices.some((d) => d.device === device) || (r.restored ?? []).some((x) => x.device === device);

export async function historyCommand(
  device: string | undefined,
  opts: { repo?: string; json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const dir = stateDir(opts.repo);
  let records: RunRecord[];
  let damaged: string[];
  try {
    ({ records, damaged } = await readRunRecords(dir));
  } catch (err) {
    out.write(`error: ${safeLine((err as Error).message)}\n`);
    return EXIT.error;
  }
  const shown = records.filter((r) => device === undefined || involves(r, device)).reverse();
  if (opts.json) {
    out.write(
      jsonForTerminal({ schema_version: OUTPUT_SCHEMA_VERSION, store: dir, records: shown, damaged }),
    );
    return EXIT.ok;
  }
  const warning = damagedLine(dir, damaged);
  if (warning) out.write(`${warning}\n`);
  if (shown.length === 0) {
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    const what = device === undefined ? "no runs recorded" : `no runs of ${safeLine(device)} recorded`;
    out.write(exists ? `${what} in ${safeLine(dir)}\n` : `${what}: no state store at ${safeLine(dir)}\n`);
    return EXIT.ok;
  }
  for (const r of shown) {
    out.write(`${formatRunLine(r)}\n`);
    for (const l of formatDeviceLines(r, device)) out.write(`${l}\n`);
  }
  return EXIT.ok;
}
