// `reconciler unfreeze`: lifts the freeze a rollback set. The revisions it rolled back stay
// remembered: they are not applied again until the branch moves past them.
import { safeMessage } from "../report/terminal-safe.ts";
import { readFreeze, unfreeze } from "../state/freeze.ts";
import { newRunId } from "../state/store.ts";
import { EXIT } from "./exit-codes.ts";
import { stateDir, underRunLock } from "./run-lock.ts";

export async function unfreezeCommand(opts: { repo?: string }, out: NodeJS.WritableStream): Promise<number> {
  const dir = stateDir(opts.repo);
  return await underRunLock(dir, { runId: newRunId(), command: "unfreeze" }, process.stderr, async () => {
    let before: Awaited<ReturnType<typeof readFreeze>> | undefined;
    try {
      before = await readFreeze(dir);
    } catch (e) {
      out.write(
        `the freeze file could not be read (${safeMessage((e as Error).message, "  ")}): it is replaced\n`,
      );
    }
    const was = await unfreeze(dir);
    out.write(
      was
        ? `unfrozen (it was set by ${before?.frozen?.by ?? "?"} at ${before?.frozen?.since ?? "?"}: ${safeMessage(before?.frozen?.reason ?? "", "  ")})\n`
        : "not frozen\n",
    );
    const bad = before?.rolledBack ?? [];
    if (bad.length > 0)
      out.write(
        `still refused until the branch moves past them: ${bad.map((b) => b.revision.slice(0, 12)).join(", ")}\n`,
      );
    return EXIT.ok;
  });
}
