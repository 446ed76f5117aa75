// The record of each run, next to the journal: one JSON file per run, <store>/runs/<runId>.json,
// holding what `reconciler history` and `reconciler status` show (revision, waves, each device's
// result, its health checks and timings). The journal (store.ts) says step by step what happened;
// a run record is the summary of a run, written whole (atomic.ts) when the run ends, and it may be
// written first with the result "interrupted" so that a run that dies leaves a record saying so.
// Files are named by run id, and run ids sort by time (newRunId), so the records sort by name.
// A record that cannot be read is listed as damaged, never thrown: history and status still show
// the others, and nothing here can stand in the way of a rollback.
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { writeFileAtomic } from "./atomic.ts";

export interface RunRecord {
  version: 1;
  /** Same charset as the state store's names: [A-Za-z0-9][A-Za-z0-9._-]{0,127}. */
  runId: string;
  command: "apply" | "rollback";
  /** ISO times. */
  startedAt: string;
  endedAt: string;
  /** The git commit id applied, when known. */
  revision?: string;
  /** Where the desired state was read: "working tree" or "revision main (abc123...)". */
  origin: string;
  /** "user@host". */
  by: string;
  result: "confirmed" | "failed" | "halted" | "refused" | "interrupted" | "nothing";
  waves: string[][];
  devices: {
    device: string;
    /** An outcome's result (model/outcome.ts), or "not-reached". */
    result: string;
    failedStep?: string;
    error?: string;
    changes: number;
    health?: { ok: boolean; checks: { name: string; ok: boolean; expected: string; seen: string }[] };
    seconds?: number;
  }[];
  /** Rollback runs: what they restored. */
  restored?: { device: string; fromRun: string }[];
}

export const RUNS_DIR = "runs";

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Writes (or replaces) a run's record atomically, with every secret of the run redacted; returns its path. */
export async function writeRunRecord(storeDir: string, rec: RunRecord): Promise<string> {
  if (!SAFE.test(rec.runId))
    throw new Error(`invalid run id for the state store: ${JSON.stringify(rec.runId)}`);
  const dir = join(storeDir, RUNS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${rec.runId}.json`);
  await writeFileAtomic(path, redactRunSecrets(`${JSON.stringify(rec, null, 2)}\n`));
  return path;
}

const isString = (v: unknown): v is string => typeof v === "string";

/** Whether a parsed value has the shape history and status rely on. */
function isRunRecord(v: unknown): v is RunRecord {
  if (!v || typeof v !== "object") return false;
  const r = v as Partial<RunRecord>;
  return (
    r.version === 1 &&
    isString(r.runId) &&
    SAFE.test(r.runId) &&
    isString(r.command) &&
    isString(r.startedAt) &&
    isString(r.endedAt) &&
    isString(r.result) &&
    (r.revision === undefined || isString(r.revision)) &&
    Array.isArray(r.waves) &&
    r.waves.every((w) => Array.isArray(w) && w.every(isString)) &&
    Array.isArray(r.devices) &&
    r.devices.every(
      (d) =>
        d &&
        typeof d === "object" &&
        isString(d.device) &&
        isString(d.result) &&
        typeof d.changes === "number" &&
        (d.health === undefined || (typeof d.health === "object" && Array.isArray(d.health?.checks))),
    ) &&
    (r.restored === undefined ||
      (Array.isArray(r.restored) && r.restored.every((x) => x && isString(x.device) && isString(x.fromRun))))
  );
}

/**
 * Every run record, sorted by run id (oldest first). A file that cannot be read, is not JSON, is
 * not a run record or names another run than its file name is listed in `damaged` (its file name)
 * and skipped. A missing store or runs/ directory reads as no runs; a runs/ directory that exists
 * but cannot be listed is an error (it says which directory and why).
 */
export async function readRunRecords(storeDir: string): Promise<{ records: RunRecord[]; damaged: string[] }> {
  const dir = join(storeDir, RUNS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { records: [], damaged: [] };
    throw new Error(`cannot list the run records in ${dir}: ${(err as Error).message}`);
  }
  const records: RunRecord[] = [];
  const damaged: string[] = [];
  // Temporary files of an atomic write start with a dot; they are never records.
  for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort()) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(join(dir, name), "utf8"));
    } catch {
      damaged.push(name);
      continue;
    }
    if (isRunRecord(value) && `${value.runId}.json` === name) records.push(value);
    else damaged.push(name);
  }
  records.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return { records, damaged };
}

export interface LastRun {
  runId: string;
  result: string;
  endedAt: string;
  revision?: string;
}

/**
 * Each device's last run: the newest run (by run id) that reached it. A device that no run ever
 * reached shows the newest run that named it, with the result "not-reached". A rollback run counts
 * for the devices it restored even when they are missing from its `devices`.
 */
export function lastRunPerDevice(records: RunRecord[]): Map<string, LastRun> {
  const sorted = [...records].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  const reached = new Map<string, LastRun>();
  const named = new Map<string, LastRun>();
  const entry = (r: RunRecord, result: string): LastRun => ({
    runId: r.runId,
    result,
    endedAt: r.endedAt,
    ...(r.revision !== undefined ? { revision: r.revision } : {}),
  });
  for (const r of sorted) {
    const seen = new Set<string>();
    for (const d of r.devices) {
      seen.add(d.device);
      if (d.result === "not-reached") named.set(d.device, entry(r, d.result));
      else reached.set(d.device, entry(r, d.result));
    }
    for (const x of r.restored ?? []) if (!seen.has(x.device)) reached.set(x.device, entry(r, "restored"));
  }
  const out = new Map<string, LastRun>();
  for (const device of [...new Set([...reached.keys(), ...named.keys()])].sort()) {
    out.set(device, (reached.get(device) ?? named.get(device)) as LastRun);
  }
  return out;
}
