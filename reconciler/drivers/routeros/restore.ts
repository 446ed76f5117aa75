// Emergency rollback on RouterOS: the configuration from before a confirmed run, kept on the
// router itself. A confirmed run's undo script (the inverse of what it sent, built from the state
// as read) stays as `reconciler-restore-<run>`, with the files holding the secrets it needs;
// restoring a point stages its steps as a new run's commands (its own undo built as for any run,
// so a restore that fails its health gate is itself undone), and the restore's confirm retires
// the point. Secrets never travel: the steps read them from the router's own files.
import { CommandError } from "../../model/errors.ts";
import type { CliSession } from "../../transport/session.ts";
import type { RestorePoint } from "../apply-contract.ts";
import { fileFind, readFile, send } from "./console.ts";
import { terseRows } from "./health.ts";
import { findWhere, oneCommandProblem, quoteValue } from "./quote.ts";
import { restoresFileName, secretFileName, secretFilesFind, undoScriptName } from "./run-files.ts";

export const RESTORE_PREFIX = "reconciler-restore-";
export const restoreScriptName = (runId: string) => `${RESTORE_PREFIX}${runId}`;
/** Restore points kept per router (the oldest beyond go at the next confirm). */
export const KEEP_POINTS = 10;

const RUN_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** At a confirm: the run's undo script becomes its restore point; the oldest beyond KEEP_POINTS go. */
export async function keepRestorePoint(
  session: CliSession,
  runId: string,
  at: string,
  step: string,
): Promise<void> {
  await send(
    session,
    `/system script set ${findWhere([["name", undoScriptName(runId)]])} name=${quoteValue(restoreScriptName(runId))} comment=${quoteValue(`reconciler: confirmed=${at}`)}`,
    step,
  );
  const points = await listRestorePoints(session, step);
  for (const p of points.slice(KEEP_POINTS)) await retirePoint(session, p.runId, step);
}

/** A point goes: its script and the secret files its steps read. */
export async function retirePoint(session: CliSession, runId: string, step: string): Promise<void> {
  await send(session, `/system script remove ${findWhere([["name", restoreScriptName(runId)]])}`, step);
  await send(session, `/file remove ${secretFilesFind(runId)}`, step);
}

/** The points the router keeps, newest first (run ids begin with their time). */
export async function listRestorePoints(session: CliSession, step: string): Promise<RestorePoint[]> {
  const r = await send(
    session,
    `/system script print terse where name~${quoteValue(`^${RESTORE_PREFIX}`)}`,
    step,
  );
  if (!r.ok)
    throw new CommandError(
      `${step}: listing the restore points failed: ${r.error}`,
      { device: session.device, command: step },
      1,
    );
  const points: RestorePoint[] = [];
  for (const { props } of terseRows(r.out)) {
    const runId = (props.name ?? "").slice(RESTORE_PREFIX.length);
    if (!props.name?.startsWith(RESTORE_PREFIX) || !RUN_ID.test(runId)) continue;
    const at = /confirmed=(\S+)/.exec(props.comment ?? "")?.[1];
    points.push({
      runId,
      ...(at ? { confirmedAt: at } : {}),
      files: [{ path: `/system script ${restoreScriptName(runId)}` }],
    });
  }
  return points.sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
}

/** The source of a point's script, as the router has it. */
export async function pointSource(session: CliSession, runId: string, step: string): Promise<string> {
  const r = await send(
    session,
    `:put ("@@source " . [/system script get ${findWhere([["name", restoreScriptName(runId)]])} source])`,
    step,
  );
  const at = r.out.indexOf("@@source ");
  if (!r.ok || at < 0)
    throw new CommandError(
      `${step}: the restore point of run ${runId} could not be read: ${r.error || "no source"}`,
      { device: session.device, command: step },
      1,
    );
  return r.out.slice(at + "@@source ".length).replace(/\n$/, "");
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The steps of a point's script, checked: what the router returns is not trusted, so each line
 * must be exactly the shape undo.ts writes (`:do { STEP } on-error={ ... step N failed ... }`),
 * and each step one command whose only bracket expressions besides `[ find ... ]` read this run's
 * secret files.
 */
export function stepsOf(source: string, runId: string): { line: string; checkAs: string }[] {
  const mask = maskSecretReads(runId);
  const fail = (why: string): never => {
    throw new Error(`the restore point of run ${runId} ${why}`);
  };
  const steps: { line: string; checkAs: string }[] = [];
  for (const line of source.replace(/\r\n/g, "\n").split("\n")) {
    if (line === "" || line === `# reconciler: undo of run ${runId}`) continue;
    const n = steps.length + 1;
    const prefix = ":do { ";
    const suffix = ` } on-error={ :log warning ${quoteValue(`reconciler undo ${runId}: step ${n} failed`)}; :put "@@undo-failed ${n}" }`;
    if (!line.startsWith(prefix) || !line.endsWith(suffix) || line.length <= prefix.length + suffix.length)
      fail(`holds a line the reconciler did not write: ${JSON.stringify(line.slice(0, 200))}`);
    const step = line.slice(prefix.length, line.length - suffix.length);
    // An idempotent step: `:if ([:len [MENU find where COND]] = 0) do={ COMMAND }` (undo.ts).
    const guarded = /^:if \(\[:len \[(\/[a-z0-9 /-]+) find where (.+?)\]\] = 0\) do=\{ (.+) \}$/.exec(step);
    const command = guarded ? (guarded[3] as string) : step;
    const problem =
      oneCommandProblem(mask(command), 256 * 1024) ??
      (guarded ? oneCommandProblem(`${guarded[1]} remove [ find where ${guarded[2]} ]`) : undefined);
    if (problem) fail(`holds a step that is not one command: ${problem}`);
    steps.push({ line: step, checkAs: command });
  }
  return steps;
}

/** At a confirm: the point this run restored (if it was a restore), now retired. */
export async function retireRestored(session: CliSession, runId: string, step: string): Promise<void> {
  const restored = await readFile(session, restoresFileName(runId), step);
  if (restored && RUN_ID.test(restored)) await retirePoint(session, restored, step);
}

/** At stageRestore: which point this run restores. */
export function restoresLine(runId: string, point: string): string {
  return `/file add name=${quoteValue(restoresFileName(runId))} contents=${quoteValue(point)}`;
}

/** What stage's checks see of a restore step: its reads of the point's secret files as plain values. */
export function maskSecretReads(runId: string): (line: string) => string {
  const re = new RegExp(
    escapeRe(`[/file get ${fileFind(secretFileName(runId, 999_999))} contents]`).replace(
      "999999",
      "\\d{1,6}",
    ),
    "g",
  );
  return (line) => line.replace(re, '"secret"');
}
