// `reconciler status`: what the state store says now. The repository's run lock (free, or its
// holder and whether it looks stale: held on this host by a process that is gone), the freeze
// (frozen since when, by whom and why; the revisions rolled back; a damaged freeze file is shown
// as such, and counts as frozen), and each device's last run (runs.ts). Every part is read on its
// own: one that cannot be read is reported on its line and the others are still shown. Exit 0.
import { join } from "node:path";
import { safeLine } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { type FreezeState, readFreeze } from "../state/freeze.ts";
import {
  describeHolder,
  isStale,
  RUN_LOCK_FILE,
  type RunLockHolder,
  readRunLock,
} from "../state/run-lock.ts";
import { type LastRun, lastRunPerDevice, readRunRecords } from "../state/runs.ts";
import { EXIT } from "./exit-codes.ts";
import { damagedLine, jsonForTerminal } from "./history.ts";
import { stateDir } from "./run-lock.ts";

type LockState =
  | { state: "free" }
  | { state: "held"; holder: RunLockHolder; stale: boolean }
  | { state: "unreadable"; error: string };

async function lockState(dir: string): Promise<LockState> {
  try {
    const holder = await readRunLock(dir);
    return holder ? { state: "held", holder, stale: isStale(holder) } : { state: "free" };
  } catch (err) {
    return { state: "unreadable", error: (err as Error).message };
  }
}

export async function statusCommand(
  opts: { repo?: string; json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const dir = stateDir(opts.repo);
  const lock = await lockState(dir);
  let freeze: FreezeState | { error: string };
  try {
    freeze = await readFreeze(dir);
  } catch (err) {
    freeze = { error: (err as Error).message };
  }
  let lastRuns = new Map<string, LastRun>();
  let damaged: string[] = [];
  let runsError: string | undefined;
  try {
    const read = await readRunRecords(dir);
    damaged = read.damaged;
    lastRuns = lastRunPerDevice(read.records);
  } catch (err) {
    runsError = (err as Error).message;
  }

  if (opts.json) {
    out.write(
      jsonForTerminal({
        schema_version: OUTPUT_SCHEMA_VERSION,
        store: dir,
        runLock: lock,
        freeze,
        lastRuns: Object.fromEntries(lastRuns),
        damaged,
        ...(runsError ? { runsError } : {}),
      }),
    );
    return EXIT.ok;
  }

  const lines: string[] = [`state store: ${safeLine(dir)}`];
  if (lock.state === "free") lines.push("run lock: free");
  else if (lock.state === "held")
    lines.push(
      `run lock: held by ${safeLine(describeHolder(lock.holder))}${
        lock.stale ? "; stale: its process on this host is gone, the next run takes it over" : ""
      }`,
    );
  else
    lines.push(
      `run lock: cannot be read (${safeLine(lock.error)}); if no run is going on, remove ${safeLine(join(dir, RUN_LOCK_FILE))}`,
    );

  if ("error" in freeze)
    lines.push(
      `freeze: the freeze file cannot be read, so the fleet counts as frozen: ${safeLine(freeze.error)}; fix or remove it, or run reconciler unfreeze`,
    );
  else {
    const f = freeze.frozen;
    lines.push(
      f
        ? `freeze: frozen since ${safeLine(f.since)} by ${safeLine(f.by)} (run ${safeLine(f.runId)}): ${safeLine(f.reason)}`
        : "freeze: not frozen",
    );
    for (const r of freeze.rolledBack)
      lines.push(
        `rolled back: revision ${safeLine(String(r.revision).slice(0, 12))} by run ${safeLine(r.runId)} at ${safeLine(r.time)} (not applied again unless overridden)`,
      );
  }

  if (runsError) lines.push(`last runs: ${safeLine(runsError)}`);
  else if (lastRuns.size === 0) lines.push("last runs: none recorded");
  else {
    lines.push("last run per device:");
    for (const [device, r] of lastRuns) {
      const rev = r.revision ? `, revision ${safeLine(r.revision.slice(0, 12))}` : "";
      lines.push(
        `  ${safeLine(device)}: ${safeLine(r.result)} (run ${safeLine(r.runId)}, ended ${safeLine(r.endedAt)}${rev})`,
      );
    }
  }
  const warning = damagedLine(dir, damaged);
  if (warning) lines.push(warning);
  out.write(`${lines.join("\n")}\n`);
  return EXIT.ok;
}
