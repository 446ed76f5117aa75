// The apply steps every POSIX-like platform shares, over the kit's scripts: lock (with the
// takeover of a dead run's armed change), unlock, releaseLock, arm, rearm, abandon, commit,
// confirm, rollback. A platform adds only stage (its candidate, validators and converge), health
// and its capabilities.
import { hostname } from "node:os";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  LockHeldError,
  redact,
} from "../../model/errors.ts";
import type { DeviceSession, PosixSession } from "../../transport/session.ts";
import type { ApplyContext, ApplyDriver } from "../apply-contract.ts";
import { type DeviceLayout, runDir } from "./layout.ts";
import { breakLockScript, lockHolder, lockScript, lockStateScript, unlockScript } from "./lock.ts";
import { abandonScript } from "./rundir.ts";
import { splitSections } from "./sections.ts";
import { details, runStep, unexpected } from "./step.ts";
import { armScript, confirmScript, rearmScript, rollbackScript } from "./timer.ts";

type StepName =
  | "lock"
  | "lockState"
  | "unlock"
  | "releaseLock"
  | "arm"
  | "rearm"
  | "abandon"
  | "commit"
  | "confirm"
  | "rollback";
/** An apply step as the contract declares it, but needing only a POSIX shell of its session. */
type PosixStep<F> = F extends (session: DeviceSession, ...rest: infer A) => infer R
  ? (session: PosixSession, ...rest: A) => R
  : never;
export type SharedSteps = { [K in StepName]: PosixStep<NonNullable<ApplyDriver[K]>> };

const now = () => new Date().toISOString();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** How long commit and rollback may run: converge reloads daemons. */
const RELOAD_MS = 180_000;
/** How long stage may run: the platform's validators. */
const STAGE_MS = 120_000;

export function sharedSteps(layout: DeviceLayout): SharedSteps {
  const me = () => `${hostname()} pid ${process.pid}`;
  return {
    async lock(session, ctx) {
      const r = await runStep(session, "lock", lockScript(layout, ctx.runId, me(), now()));
      if (r.stdout.startsWith("@@locked")) return;
      if (r.stdout.startsWith("@@held")) {
        const h = lockHolder(r.stdout, { host: hostname(), alive: pidAlive });
        if (h.state === "armed" && h.deadProcess && h.run) {
          // The run that holds the lock died after its commit (its process on this host is gone):
          // its change was never confirmed and the device would revert it by itself later. Take
          // the device over: revert that change now, free its lock, take ours.
          const back = await runStep(session, "lock", rollbackScript(layout, h.run), RELOAD_MS);
          if (back.exitCode !== 0)
            throw new LockHeldError(
              `the device is locked by ${h.describe}, whose process is gone; reverting its unconfirmed change failed, so it was left to revert by itself`,
              details(ctx, "lock", back.all),
            );
          await runStep(session, "lock", unlockScript(layout, h.run));
          const again = await runStep(session, "lock", lockScript(layout, ctx.runId, me(), now()));
          if (again.stdout.startsWith("@@locked")) return;
          throw new LockHeldError(
            `the device was taken over from the dead run ${h.run} (its change reverted), but another run took the lock first`,
            details(ctx, "lock", again.all),
          );
        }
        const advice = h.stale
          ? `; it looks stale: ${h.stale}. Free it with \`reconciler unlock ${ctx.device.name} --run ${h.run}\``
          : h.state === "armed"
            ? "; that run's change is not confirmed yet: the device reverts it by itself when its timer runs out, and frees the lock then"
            : "";
        throw new LockHeldError(
          `the device is locked by ${h.describe}${advice}`,
          details(ctx, "lock", r.all),
        );
      }
      throw unexpected(ctx, "lock", r);
    },

    async lockState(session, device) {
      const r = await session.sh(lockStateScript(layout), { allowFailure: true, name: "lock state" });
      if (r.stdout.startsWith("@@free")) return undefined;
      if (!r.stdout.startsWith("@@held"))
        throw new CommandError(
          `lock state: unexpected output (status ${r.exitCode})`,
          { device: device.name, command: "lock state", output: r.stdout + r.stderr },
          r.exitCode,
        );
      const h = lockHolder(r.stdout, { host: hostname(), alive: pidAlive });
      return { describe: h.describe, ...(h.stale ? { stale: h.stale } : {}) };
    },

    async unlock(session, ctx) {
      const r = await runStep(session, "unlock", unlockScript(layout, ctx.runId));
      if (r.exitCode !== 0 || !/@@(unlocked|not-ours)/.test(r.stdout)) throw unexpected(ctx, "unlock", r);
    },

    async releaseLock(session, device, runId) {
      const r = await session.sh(breakLockScript(layout, runId), { allowFailure: true, name: "unlock" });
      const d = { device: device.name, command: "unlock", output: r.stdout + r.stderr };
      if (r.stdout.includes("@@unlocked")) return "released";
      if (r.stdout.includes("@@not-locked")) return "not-locked";
      if (r.stdout.includes("@@other")) {
        const h = lockHolder(r.stdout, { host: hostname(), alive: pidAlive });
        throw new LockHeldError(`the lock is held by another run: ${h.describe}; nothing was changed`, d);
      }
      if (r.stdout.includes("@@armed"))
        throw new LockHeldError(
          `run ${runId} is armed: its change is not confirmed and the device will revert it by itself, then free the lock; nothing was changed`,
          d,
        );
      throw new CommandError(`unlock failed (status ${r.exitCode})`, d, r.exitCode);
    },

    async arm(session, ctx, _staged, timeoutS) {
      const r = await runStep(session, "arm", armScript(layout, ctx.runId, Math.ceil(timeoutS)));
      if (r.exitCode !== 0 || !r.stdout.includes("@@armed")) throw unexpected(ctx, "arm", r);
    },

    async rearm(session, ctx, staged, timeoutS) {
      const r = await runStep(session, "rearm", rearmScript(layout, ctx.runId, Math.ceil(timeoutS)));
      if (r.stdout.includes("@@not-armed"))
        throw new CommitFailedError(
          `too late: the device already reverted this run by itself (${r.stdout.replace("@@not-armed", "").trim()})`,
          details(ctx, "rearm", r.all, staged),
        );
      if (r.exitCode !== 0 || !r.stdout.includes("@@rearmed")) throw unexpected(ctx, "rearm", r);
    },

    async abandon(session, ctx) {
      const r = await runStep(session, "abandon", abandonScript(layout, ctx.runId));
      if (r.exitCode !== 0 || !r.stdout.includes("@@abandoned")) throw unexpected(ctx, "abandon", r);
    },

    async commit(session, ctx, staged) {
      const r = await runStep(session, "commit", `sh ${runDir(layout, ctx.runId)}/commit.sh`, RELOAD_MS);
      if (r.exitCode !== 0)
        throw new CommitFailedError(
          `commit failed (status ${r.exitCode}): ${redact(r.all.trim(), staged.secrets).slice(-3000)}`,
          details(ctx, "commit", r.all, staged),
        );
    },

    async confirm(session, ctx, staged) {
      const r = await runStep(session, "confirm", confirmScript(layout, ctx.runId, now()));
      if (r.stdout.includes("@@reverted"))
        throw new CommitFailedError(
          `too late to confirm: the device already reverted this run by itself (${r.stdout.replace("@@reverted", "").trim()})`,
          details(ctx, "confirm", r.all, staged),
        );
      if (r.exitCode !== 0 || !r.stdout.includes("@@confirmed")) throw unexpected(ctx, "confirm", r);
    },

    async rollback(session, ctx, staged) {
      const r = await runStep(session, "rollback", rollbackScript(layout, ctx.runId), RELOAD_MS);
      if (r.exitCode !== 0)
        throw new CommitFailedError(
          `rollback: the snapshot was restored but the reload reported errors: ${redact(r.all.trim(), staged.secrets).slice(-3000)}`,
          details(ctx, "rollback", r.all, staged),
        );
    },
  };
}

/**
 * Runs a stage script (run-scripts.ts stageScript) and judges what it printed: a rejection names
 * each validator that refused (describe turns "check:<what>" into the tool's name) with its
 * output; any other failure is a CommandError. Both redacted with the candidate's secrets.
 */
export async function runStage(
  session: PosixSession,
  ctx: ApplyContext,
  stage: { script: string; nonce: string; secrets: readonly string[]; describe: (check: string) => string },
): Promise<void> {
  const r = await runStep(session, "stage", stage.script, STAGE_MS);
  if (r.stdout.includes("@@rejected")) {
    const why: string[] = [];
    for (const [name, s] of splitSections(r.stdout, stage.nonce)) {
      if (!name.startsWith("check:") || s.rc === "0") continue;
      why.push(`${stage.describe(name.slice("check:".length))}: ${s.text.trim()}`);
    }
    const text = redact(why.join("\n"), stage.secrets);
    throw new CandidateRejectedError(
      `candidate rejected on the device: ${text}`,
      details(ctx, "stage", text),
    );
  }
  if (r.exitCode !== 0 || !r.stdout.includes("@@staged")) {
    const err = unexpected(ctx, "stage", r);
    throw new CommandError(
      redact(err.message, stage.secrets),
      details(ctx, "stage", r.all, { secrets: stage.secrets }),
      r.exitCode,
    );
  }
}
