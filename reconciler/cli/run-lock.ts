// Where a command finds the state store, and the repository's run lock held around a command that
// changes devices (apply, keys): refused naming the holder, a stale one taken over with a line
// saying so, released in every ending.
import { join, resolve } from "node:path";
import { acquireRunLock, describeHolder, RunLockHeldError } from "../state/run-lock.ts";
import { CliError } from "./exit-codes.ts";

export const stateDir = (repo: string | undefined) =>
  process.env.RECONCILER_STATE_DIR ?? join(resolve(repo ?? process.cwd()), ".reconciler", "state");

export async function underRunLock<T>(
  dir: string,
  run: { runId: string; command: string },
  err: NodeJS.WritableStream,
  fn: () => Promise<T>,
): Promise<T> {
  let lock: Awaited<ReturnType<typeof acquireRunLock>>;
  try {
    lock = await acquireRunLock(dir, run);
  } catch (e) {
    if (e instanceof RunLockHeldError) throw new CliError(`refusing to ${run.command}: ${e.message}`);
    throw e;
  }
  if (lock.tookOver)
    err.write(
      `run ${run.runId}: took over the repository's run lock from ${describeHolder(lock.tookOver)}: its process is gone\n`,
    );
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
