// What a run leaves on the device, by name: the lock file, the undo script, the scheduler entry
// that reverts, the decision and commit marks, the secret files; and taking them away again.
import { CommandError } from "../../model/errors.ts";
import type { CliSession } from "../../transport/session.ts";
import { exists, fileFind, readFile, send } from "./console.ts";
import { findWhere, quoteValue } from "./quote.ts";

export const LOCK_FILE = "reconciler-lock.txt";
export const undoScriptName = (runId: string) => `reconciler-undo-${runId}`;
export const revertSchedulerName = (runId: string) => `reconciler-revert-${runId}`;
export const decidedFileName = (runId: string) => `reconciler-decided-${runId}.txt`;
export const committedFileName = (runId: string) => `reconciler-committed-${runId}.txt`;
export const secretFileName = (runId: string, n: number) => `reconciler-secret-${runId}-${n}.txt`;
/** Written when a run restores a point (restore.ts): which run's point, read back at its confirm. */
export const restoresFileName = (runId: string) => `reconciler-restores-${runId}.txt`;
/** `[ find where name~"^reconciler-secret-<run>-" ]`: every secret file of the run. */
export const secretFilesFind = (runId: string) =>
  `[ find where name~${quoteValue(`^reconciler-secret-${runId.replace(/\./g, "\\.")}-`)} ]`;

export interface Holder {
  contents: string;
  run?: string;
  describe: string;
}

export function holderOf(contents: string): Holder {
  const get = (k: string) => new RegExp(`(?:^| )${k}=(\\S+)`).exec(contents)?.[1];
  const run = get("run");
  const host = get("host");
  const pid = get("pid");
  const time = get("time");
  return {
    contents,
    ...(run ? { run } : {}),
    describe: run
      ? `run ${run}${host ? ` on ${host}` : ""}${pid ? ` (pid ${pid})` : ""}${time ? ` since ${time}` : ""}`
      : `an unknown holder (${JSON.stringify(contents.slice(0, 120))})`,
  };
}

/** Removes the lock only when it still holds exactly these contents (compare and delete). */
export const removeLockLine = (contents: string) =>
  `/file remove [ find where name=${quoteValue(LOCK_FILE)} and contents=${quoteValue(contents)} ]`;

/** Removes what a run left on the device: scheduler entry, undo script, decision, commit mark. */
export async function cleanup(
  session: CliSession,
  runId: string,
  step: string,
  keepDecision = false,
  /** A confirmed run's secret files stay: its restore point reads them (restore.ts). */
  keepSecrets = false,
): Promise<void> {
  const lines = [
    `/system scheduler remove ${findWhere([["name", revertSchedulerName(runId)]])}`,
    `/system script remove ${findWhere([["name", undoScriptName(runId)]])}`,
    `/file remove ${fileFind(committedFileName(runId))}`,
    `/file remove ${fileFind(restoresFileName(runId))}`,
    ...(keepSecrets ? [] : [`/file remove ${secretFilesFind(runId)}`]),
  ];
  for (const l of lines) await send(session, l, step);
  if (keepDecision) return;
  // The decision goes last, and only once no scheduler entry of the run is left to fire: without
  // it, an entry left behind would revert a confirmed change.
  if (await exists(session, "/system scheduler", revertSchedulerName(runId), step))
    throw new CommandError(
      `${step}: the scheduler entry ${revertSchedulerName(runId)} could not be removed (it still fires, but finds the run decided and does nothing)`,
      { device: session.device, command: step },
      1,
    );
  await send(session, `/file remove ${fileFind(decidedFileName(runId))}`, step);
}

/** Takes the run's decision; returns the decision already taken when another came first. */
export async function decide(
  session: CliSession,
  runId: string,
  what: string,
  step: string,
): Promise<string | undefined> {
  const r = await send(
    session,
    `/file add name=${quoteValue(decidedFileName(runId))} contents=${quoteValue(what)}`,
    step,
  );
  if (r.ok) return undefined;
  return (await readFile(session, decidedFileName(runId), step)) ?? `unknown (${r.error})`;
}
