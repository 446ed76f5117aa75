// The state store's git history around a run: before it, the store is a git repository and, when
// the inventory names a `state:` remote, it has the history other runners pushed; after it, the
// run's record is written, everything committed, and pushed. Every problem here is a warning on
// stderr: the store is the reconciler's memory, never a reason to stop a run or a rollback.
import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import type { ApplyTarget } from "../apply/executor.ts";
import { remoteUrlOf } from "../git/remote.ts";
import { summarizeError } from "../model/errors.ts";
import { safeMessage } from "../report/terminal-safe.ts";
import type { RolloutResult } from "../rollout/engine.ts";
import type { StateSectionSpec } from "../schema/inventory.ts";
import {
  commitState,
  ensureStateRepo,
  pushStateToRemote,
  type StateRemote,
  syncStateFromRemote,
} from "../state/git-store.ts";
import { type RunRecord, writeRunRecord } from "../state/runs.ts";
import type { StateStore } from "../state/store.ts";

export const operator = () => {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {}
  return `${user}@${hostname()}`;
};

export interface StateHistory {
  /** Writes the run's record, commits the store, pushes it when a remote is configured. */
  end(record: RunRecord): Promise<void>;
}

export async function openStateHistory(
  storeDir: string,
  repoRoot: string | undefined,
  spec: StateSectionSpec | undefined,
  err: NodeJS.WritableStream,
): Promise<StateHistory> {
  const warn = (what: string, e: unknown): void => {
    err.write(`warning: the state store ${what}: ${safeMessage(summarizeError(e).message, "  ")}\n`);
  };
  let usable = true;
  try {
    await ensureStateRepo(storeDir);
  } catch (e) {
    usable = false;
    warn("is not a usable git repository (the run goes on; nothing is committed)", e);
  }
  let remote: StateRemote | undefined;
  if (usable && spec) {
    try {
      remote = {
        url: await remoteUrlOf(resolve(repoRoot ?? process.cwd()), spec.remote),
        branch: spec.branch,
      };
      for (const w of await syncStateFromRemote(storeDir, remote))
        err.write(`warning: ${safeMessage(w, "  ")}\n`);
    } catch (e) {
      warn(`could not be synchronised with ${spec.remote} ${spec.branch}`, e);
    }
  }
  return {
    async end(record) {
      try {
        await writeRunRecord(storeDir, record);
      } catch (e) {
        return warn("could not record the run", e);
      }
      if (!usable) return;
      try {
        await commitState(storeDir, `${record.command} ${record.runId}: ${record.result}`);
      } catch (e) {
        return warn("could not be committed", e);
      }
      if (remote)
        for (const w of await pushStateToRemote(storeDir, remote))
          err.write(`warning: ${safeMessage(w, "  ")}\n`);
    },
  };
}

/** The redacted copy of what each confirmed device now runs (store.ts saveConfirmed). */
export async function saveConfirmed(
  store: StateStore,
  result: RolloutResult,
  targets: readonly ApplyTarget[],
  run: { runId: string; origin: string; commit?: string | undefined },
  err: NodeJS.WritableStream,
): Promise<void> {
  const confirmedAt = new Date().toISOString();
  for (const o of result.outcomes) {
    if (o.result !== "confirmed") continue;
    const t = targets.find((x) => x.device.name === o.device);
    if (!t) continue;
    try {
      await store.saveConfirmed({
        device: o.device,
        runId: run.runId,
        confirmedAt,
        ...(run.commit ? { revision: run.commit } : {}),
        origin: run.origin,
        ...(t.restore ? { restoredFrom: t.restore.runId } : { candidate: t.candidate }),
      });
    } catch (e) {
      err.write(
        `warning: the state store could not record what ${o.device} runs now: ${safeMessage(summarizeError(e).message, "  ")}\n`,
      );
    }
  }
}
