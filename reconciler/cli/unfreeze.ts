// `reconciler unfreeze`: lifts the freeze a rollback set. The revisions it rolled back stay
// remembered: they are not applied again until the branch moves past them.
import { safeMessage } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { readFreeze, unfreeze } from "../state/freeze.ts";
import { newRunId } from "../state/store.ts";
import { EXIT } from "./exit-codes.ts";
import { jsonForTerminal } from "./history.ts";
import { stateDir, underRunLock } from "./run-lock.ts";

export async function unfreezeCommand(
  opts: { repo?: string; json?: boolean },
  out: NodeJS.WritableStream,
): Promise<number> {
  const dir = stateDir(opts.repo);
  return await underRunLock(dir, { runId: newRunId(), command: "unfreeze" }, process.stderr, async () => {
    let before: Awaited<ReturnType<typeof readFreeze>> | undefined;
    let freezeFileError: string | undefined;
    try {
      before = await readFreeze(dir);
    } catch (e) {
      freezeFileError = (e as Error).message;
    }
    const was = await unfreeze(dir);
    const bad = before?.rolledBack ?? [];
    if (opts.json) {
      out.write(
        jsonForTerminal({
          schema_version: OUTPUT_SCHEMA_VERSION,
          wasFrozen: was,
          ...(before?.frozen ? { frozen: before.frozen } : {}),
          ...(freezeFileError ? { freezeFileError } : {}),
          stillRefused: bad.map((b) => b.revision),
        }),
      );
      return EXIT.ok;
    }
    if (freezeFileError)
      out.write(
        `the freeze file could not be read (${safeMessage(freezeFileError, "  ")}): it is replaced\n`,
      );
    out.write(
      was
        ? `unfrozen (it was set by ${before?.frozen?.by ?? "?"} at ${before?.frozen?.since ?? "?"}: ${safeMessage(before?.frozen?.reason ?? "", "  ")})\n`
        : "not frozen\n",
    );
    if (bad.length > 0)
      out.write(
        `still refused until the branch moves past them: ${bad.map((b) => b.revision.slice(0, 12)).join(", ")}\n`,
      );
    return EXIT.ok;
  });
}
