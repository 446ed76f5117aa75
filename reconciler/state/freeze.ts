// The fleet's freeze: set by an emergency rollback, lifted by `reconciler unfreeze`. While it is
// set, every entry point that changes devices (apply, the CI rollout, the watch loop) refuses
// unless the operator overrides it. The revisions that were rolled back are remembered after the
// freeze is lifted: they are never applied again unless overridden, until the branch moves past
// them (a new commit is a new revision). One JSON file in the state store, written atomically;
// an unreadable file counts as frozen (refusing is the safe side) and says why.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";

export interface FreezeState {
  version: 1;
  /** Present while frozen. */
  frozen?: { since: string; by: string; runId: string; reason: string };
  /** Revisions (commit ids) rolled back: not applied again unless overridden. */
  rolledBack: { revision: string; runId: string; time: string }[];
}

export class FreezeFileError extends Error {}

const FILE = "freeze.json";
const EMPTY: FreezeState = { version: 1, rolledBack: [] };

export async function readFreeze(storeDir: string): Promise<FreezeState> {
  let text: string;
  try {
    text = await readFile(join(storeDir, FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { ...EMPTY, rolledBack: [] };
    throw new FreezeFileError(`cannot read ${join(storeDir, FILE)}: ${(e as Error).message}`);
  }
  let v: Partial<FreezeState>;
  try {
    v = JSON.parse(text) as Partial<FreezeState>;
  } catch (e) {
    throw new FreezeFileError(`${join(storeDir, FILE)} is not valid JSON: ${(e as Error).message}`);
  }
  if (v?.version !== 1 || !Array.isArray(v.rolledBack))
    throw new FreezeFileError(`${join(storeDir, FILE)} is not a freeze file of this version`);
  return v as FreezeState;
}

export async function writeFreeze(storeDir: string, state: FreezeState): Promise<void> {
  // A rollback may be the first thing this checkout ever runs: the store may not exist yet.
  await mkdir(storeDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(storeDir, FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/** Sets the freeze (a rollback run), remembering the revision it rolled back when known. */
export async function freeze(
  storeDir: string,
  run: { runId: string; by: string; reason: string; revision?: string },
  now = new Date(),
): Promise<void> {
  let state: FreezeState;
  try {
    state = await readFreeze(storeDir);
  } catch {
    state = { ...EMPTY, rolledBack: [] }; // a damaged file is replaced: the rollback must not stop
  }
  const time = now.toISOString();
  state.frozen = { since: time, by: run.by, runId: run.runId, reason: run.reason };
  if (run.revision && !state.rolledBack.some((r) => r.revision === run.revision))
    state.rolledBack.push({ revision: run.revision, runId: run.runId, time });
  await writeFreeze(storeDir, state);
}

/** Lifts the freeze; the rolled-back revisions stay remembered. Returns whether it was set. */
export async function unfreeze(storeDir: string): Promise<boolean> {
  let state: FreezeState;
  try {
    state = await readFreeze(storeDir);
  } catch {
    state = { ...EMPTY, rolledBack: [] };
  }
  const was = state.frozen !== undefined;
  delete state.frozen;
  await writeFreeze(storeDir, state);
  return was;
}

/** Why an apply of `revision` must be refused, or undefined when it may go ahead. */
export async function freezeRefusal(
  storeDir: string,
  revision: string | undefined,
): Promise<string | undefined> {
  let state: FreezeState;
  try {
    state = await readFreeze(storeDir);
  } catch (e) {
    return `the freeze state cannot be read (${(e as Error).message}); fix or remove it, or run reconciler unfreeze`;
  }
  if (state.frozen)
    return `the fleet is frozen since ${state.frozen.since} by ${state.frozen.by} (run ${state.frozen.runId}: ${state.frozen.reason}); run reconciler unfreeze when it is safe`;
  const bad = revision ? state.rolledBack.find((r) => r.revision === revision) : undefined;
  if (bad)
    return `revision ${bad.revision.slice(0, 12)} was rolled back by run ${bad.runId} at ${bad.time}; it is not applied again until the branch moves past it`;
  return undefined;
}
