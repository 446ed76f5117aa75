// debianApply: the apply protocol on a Debian router (see layout.ts for the on-device layout and
// scripts.ts for what runs there). Each step is one round trip over the session it is given.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  CandidateRejectedError,
  CommandError,
  CommitFailedError,
  type DeviceErrorDetails,
  LockHeldError,
  redact,
} from "../../../model/errors.ts";
import type { Candidate, LiveState } from "../../../model/live.ts";
import type { PosixSession } from "../../../transport/session.ts";
import type { ApplyContext, ApplyDriver, KeysCapability, Staged } from "../../apply-contract.ts";
import type { HealthProbe, Observation } from "../../health.ts";
import { breakLockScript, lockHolder, lockScript, unlockScript } from "../../kit/lock.ts";
import { abandonScript } from "../../kit/rundir.ts";
import { newNonce, splitSections } from "../../kit/sections.ts";
import { armScript, confirmScript, rearmScript, rollbackScript, timerScript } from "../../kit/timer.ts";
import { UnwritableSecretError } from "../secrets.ts";
import { type CandidatePlan, candidatePlan, MissingSecretError } from "./candidate.ts";
import { healthScript, observeHealth } from "./health.ts";
import { DEBIAN_LAYOUT, runDir } from "./layout.ts";
import {
  candidateRel,
  commitScript,
  convergeScript,
  ensureKeysScript,
  libScript,
  revertScript,
  type StageUpload,
  stageScript,
} from "./scripts.ts";

const now = () => new Date().toISOString();

/** An error's details, the device's output redacted with the staged candidate's secrets when there is one. */
function details(ctx: ApplyContext, command: string, output: string, staged?: Staged): DeviceErrorDetails {
  return { device: ctx.device.name, command, output: redact(output, staged?.secrets ?? []) };
}

async function runScript(session: PosixSession, step: string, script: string, timeoutMs?: number) {
  const r = await session.sh(script, {
    allowFailure: true,
    name: step,
    // The long steps (stage's validators, commit's reloads) may be silent for as long as they run.
    ...(timeoutMs !== undefined ? { timeoutMs, idleTimeoutMs: timeoutMs } : {}),
  });
  return { ...r, command: step, all: `${r.stdout}${r.stderr ? `\n${r.stderr}` : ""}` };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function unexpected(ctx: ApplyContext, step: string, r: { exitCode: number; all: string }): CommandError {
  return new CommandError(
    `${step} failed (status ${r.exitCode}): ${r.all.trim().slice(0, 2000)}`,
    details(ctx, step, r.all),
    r.exitCode,
  );
}

/** WireGuard private keys are generated on the router and never leave it. */
const debianKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const r = await runScript(session, "ensure keys", ensureKeysScript(interfaces));
    if (r.exitCode !== 0) throw unexpected(ctx, "ensure keys", r);
    const keys: Record<string, string> = {};
    for (const line of r.stdout.split("\n")) {
      const [name, key] = line.split("\t");
      if (name && key && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/.test(key)) keys[name] = key;
    }
    for (const i of interfaces)
      if (!keys[i])
        throw new CommandError(
          `ensure keys: no public key for ${i}`,
          details(ctx, "ensure keys", r.all),
          r.exitCode,
        );
    return keys;
  },
};

export const debianApply: ApplyDriver = {
  capabilities: {
    // No daemon here reverts by itself: arm starts a revert timer on the device.
    nativeCommitConfirm: false,
    // bird -p, vtysh --dryrun and wg-quick strip check a candidate before it is used.
    onDeviceValidation: true,
    keys: debianKeys,
  },

  async lock(session, ctx) {
    const r = await runScript(
      session,
      "lock",
      lockScript(DEBIAN_LAYOUT, ctx.runId, `${hostname()} pid ${process.pid}`, now()),
    );
    if (r.stdout.startsWith("@@locked")) return;
    if (r.stdout.startsWith("@@held")) {
      const h = lockHolder(r.stdout, { host: hostname(), alive: pidAlive });
      if (h.state === "armed" && h.deadProcess && h.run) {
        // The run that holds the lock died after its commit (its process on this host is gone):
        // its change was never confirmed and the device would revert it by itself later. Take
        // the device over: revert that change now, free its lock, take ours.
        const back = await runScript(session, "lock", rollbackScript(DEBIAN_LAYOUT, h.run), 180_000);
        if (back.exitCode !== 0)
          throw new LockHeldError(
            `the device is locked by ${h.describe}, whose process is gone; reverting its unconfirmed change failed, so it was left to revert by itself`,
            details(ctx, "lock", back.all),
          );
        await runScript(session, "lock", unlockScript(DEBIAN_LAYOUT, h.run));
        const again = await runScript(
          session,
          "lock",
          lockScript(DEBIAN_LAYOUT, ctx.runId, `${hostname()} pid ${process.pid}`, now()),
        );
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
      throw new LockHeldError(`the device is locked by ${h.describe}${advice}`, details(ctx, "lock", r.all));
    }
    throw unexpected(ctx, "lock", r);
  },

  async unlock(session, ctx) {
    const r = await runScript(session, "unlock", unlockScript(DEBIAN_LAYOUT, ctx.runId));
    if (r.exitCode !== 0 || !/@@(unlocked|not-ours)/.test(r.stdout)) throw unexpected(ctx, "unlock", r);
  },

  async releaseLock(session, device, runId) {
    const r = await session.sh(breakLockScript(DEBIAN_LAYOUT, runId), { allowFailure: true, name: "unlock" });
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

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    if (candidate.kind !== "files") throw new Error("the Debian driver applies files, not commands");
    const rendered = candidate;
    let plan: CandidatePlan;
    try {
      plan = candidatePlan(rendered, snapshot, ctx.intent, ctx.env, {
        device: ctx.device.name,
        token: randomBytes(16).toString("hex"),
      });
    } catch (e) {
      if (e instanceof MissingSecretError || e instanceof UnwritableSecretError)
        throw new CandidateRejectedError(`candidate rejected: ${e.message}`, {
          device: ctx.device.name,
          command: "stage",
        });
      throw e;
    }
    const uploads: StageUpload[] = [
      { rel: "lib.sh", content: libScript(ctx.runId) },
      { rel: "converge.sh", content: convergeScript(ctx.runId, plan.files) },
      { rel: "commit.sh", content: commitScript(plan.files) },
      { rel: "revert.sh", content: revertScript(ctx.runId, plan.files) },
      { rel: "timer.sh", content: timerScript() },
    ];
    for (const f of plan.files)
      if (f.content !== null) uploads.push({ rel: candidateRel(f), content: f.content });
    const n = newNonce();
    const r = await runScript(session, "stage", stageScript(ctx.runId, plan.files, uploads, n), 120_000);
    const sections = splitSections(r.stdout, n);
    if (r.stdout.includes("@@rejected")) {
      const why: string[] = [];
      for (const [name, s] of sections) {
        if (!name.startsWith("check:") || s.rc === "0") continue;
        const what =
          name === "check:bird"
            ? "bird -p"
            : name === "check:frr"
              ? "vtysh --dryrun (/etc/frr/frr.conf)"
              : `wg-quick strip (${name.slice(9)})`;
        why.push(`${what}: ${s.text.trim()}`);
      }
      const text = redact(why.join("\n"), plan.secretValues);
      throw new CandidateRejectedError(
        `candidate rejected on the device: ${text}`,
        details(ctx, "stage", text),
      );
    }
    if (r.exitCode !== 0 || !r.stdout.includes("@@staged")) {
      const err = unexpected(ctx, "stage", r);
      throw new CommandError(
        redact(err.message, plan.secretValues),
        details(ctx, "stage", r.all, { runId: ctx.runId, where: "", secrets: plan.secretValues }),
        r.exitCode,
      );
    }
    return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets: plan.secretValues };
  },

  async arm(session, ctx, staged, timeoutS) {
    const r = await runScript(session, "arm", armScript(DEBIAN_LAYOUT, ctx.runId, Math.ceil(timeoutS)));
    if (r.exitCode !== 0 || !r.stdout.includes("@@armed")) throw unexpected(ctx, "arm", r);
  },

  async rearm(session, ctx, staged, timeoutS) {
    const r = await runScript(session, "rearm", rearmScript(DEBIAN_LAYOUT, ctx.runId, Math.ceil(timeoutS)));
    if (r.stdout.includes("@@not-armed"))
      throw new CommitFailedError(
        `too late: the device already reverted this run by itself (${r.stdout.replace("@@not-armed", "").trim()})`,
        details(ctx, "rearm", r.all, staged),
      );
    if (r.exitCode !== 0 || !r.stdout.includes("@@rearmed")) throw unexpected(ctx, "rearm", r);
  },

  async abandon(session, ctx) {
    const r = await runScript(session, "abandon", abandonScript(DEBIAN_LAYOUT, ctx.runId));
    if (r.exitCode !== 0 || !r.stdout.includes("@@abandoned")) throw unexpected(ctx, "abandon", r);
  },

  async commit(session, ctx, staged) {
    const r = await runScript(session, "commit", `sh ${runDir(ctx.runId)}/commit.sh`, 180_000);
    if (r.exitCode !== 0)
      throw new CommitFailedError(
        `commit failed (status ${r.exitCode}): ${redact(r.all.trim(), staged.secrets).slice(-3000)}`,
        details(ctx, "commit", r.all, staged),
      );
  },

  async health(session, ctx, probes: readonly HealthProbe[]): Promise<Observation[]> {
    const n = newNonce();
    const r = await runScript(session, "health", healthScript(ctx.runId, ctx.intent, probes, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitSections(r.stdout, n);
    return observeHealth(ctx.intent, probes, { get: (name) => sections.get(name) });
  },

  async confirm(session, ctx, staged) {
    const r = await runScript(session, "confirm", confirmScript(DEBIAN_LAYOUT, ctx.runId, now()));
    if (r.stdout.includes("@@reverted"))
      throw new CommitFailedError(
        `too late to confirm: the device already reverted this run by itself (${r.stdout.replace("@@reverted", "").trim()})`,
        details(ctx, "confirm", r.all, staged),
      );
    if (r.exitCode !== 0 || !r.stdout.includes("@@confirmed")) throw unexpected(ctx, "confirm", r);
  },

  async rollback(session, ctx, staged) {
    const r = await runScript(session, "rollback", rollbackScript(DEBIAN_LAYOUT, ctx.runId), 180_000);
    if (r.exitCode !== 0)
      throw new CommitFailedError(
        `rollback: the snapshot was restored but the reload reported errors: ${redact(r.all.trim(), staged.secrets).slice(-3000)}`,
        details(ctx, "rollback", r.all, staged),
      );
  },
};
