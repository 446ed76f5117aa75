// `reconciler unlock --repo-lock --run ID`: frees the repository's run lock a run left behind on
// another machine (one on this host whose process is gone is taken over by the next run anyway).
// Only that run's lock is freed, and never one whose process still runs on this host.
import { hostname } from "node:os";
import { describeHolder, isStale, readRunLock, releaseRunLock } from "../state/run-lock.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { stateDir } from "./run-lock.ts";

export async function unlockRunCommand(
  opts: { repo?: string; run?: string },
  out: NodeJS.WritableStream,
): Promise<number> {
  const runId = opts.run ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(runId))
    throw new CliError(`--run: not a run id: ${JSON.stringify(runId)}`, EXIT.usage);
  const dir = stateDir(opts.repo);
  const holder = await readRunLock(dir);
  if (holder?.runId === runId && holder.host === hostname() && !isStale(holder)) {
    out.write(`refusing: ${describeHolder(holder)} is still running\n`);
    return EXIT.error;
  }
  const r = await releaseRunLock(dir, runId);
  if (r === "released") out.write(`the repository's run lock of run ${runId} is released\n`);
  else if (r === "not-locked") out.write("the repository's run lock is not held\n");
  else {
    out.write(`the repository's run lock is held by ${describeHolder(r)}, not by run ${runId}\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}
