// `reconciler unlock --repo-lock --run ID`: frees the repository's run lock a run left behind on
// another machine (one on this host whose process is gone is taken over by the next run anyway).
// Only that run's lock is freed, and never one whose process still runs on this host.
import { hostname } from "node:os";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { describeHolder, isStale, readRunLock, releaseRunLock } from "../state/run-lock.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { jsonForTerminal } from "./history.ts";
import { stateDir } from "./run-lock.ts";

/** What an unlock did, as --json says it (unlock.ts shares it). */
export type UnlockOutcome = "released" | "not-locked" | "refused" | "held-by-another-run" | "error";

export async function unlockRunCommand(
  opts: { repo?: string; run?: string; json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const runId = opts.run ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(runId))
    throw new CliError(`--run: not a run id: ${JSON.stringify(runId)}`, EXIT.usage);
  const dir = stateDir(opts.repo);
  // --json: one document (schema/json/unlock-output.schema.json) instead of the line.
  const say = (outcome: UnlockOutcome, text: string, holder?: string) =>
    out.write(
      opts.json
        ? jsonForTerminal({
            schema_version: OUTPUT_SCHEMA_VERSION,
            lock: "repository",
            run: runId,
            outcome,
            ...(holder ? { holder } : {}),
          })
        : `${text}\n`,
    );
  const holder = await readRunLock(dir);
  if (holder?.runId === runId && holder.host === hostname() && !isStale(holder)) {
    say("refused", `refusing: ${describeHolder(holder)} is still running`, describeHolder(holder));
    return EXIT.error;
  }
  const r = await releaseRunLock(dir, runId);
  if (r === "released") say("released", `the repository's run lock of run ${runId} is released`);
  else if (r === "not-locked") say("not-locked", "the repository's run lock is not held");
  else {
    say(
      "held-by-another-run",
      `the repository's run lock is held by ${describeHolder(r)}, not by run ${runId}`,
      describeHolder(r),
    );
    return EXIT.error;
  }
  return EXIT.ok;
}
