// debianApply: the apply protocol on a Debian router. The kit (drivers/kit) does what every
// POSIX-like device shares (lock, arm, rearm, abandon, commit, confirm, rollback, the stage
// script's frame); this file adds what is Debian's: the candidate with its secrets, the
// validators' names, WireGuard keys generated on the router, and the health gate's collection.
// Each step is one round trip over the session it is given.
import { randomBytes } from "node:crypto";
import { CandidateRejectedError, CommandError } from "../../../model/errors.ts";
import type { Candidate, LiveState } from "../../../model/live.ts";
import type { DeviceSession } from "../../../transport/session.ts";
import type {
  ApplyContext,
  ApplyDriver,
  KeysCapability,
  RestorePoint,
  Staged,
} from "../../apply-contract.ts";
import type { HealthProbe, Observation } from "../../health.ts";
import { copyLines, parseRestorePoints, restoreFiles, restorePointsScript } from "../../kit/restore.ts";
import { newNonce, splitSections } from "../../kit/sections.ts";
import { details, runStep, unexpected } from "../../kit/step.ts";
import { runStage, sharedSteps } from "../../kit/steps.ts";
import { timerScript } from "../../kit/timer.ts";
import { UnwritableSecretError } from "../secrets.ts";
import {
  type CandidatePlan,
  candidatePlan,
  defaultsFor,
  isManagedPath,
  isSecretPath,
  type ManagedFile,
  MissingSecretError,
} from "./candidate.ts";
import { healthScript, observeHealth } from "./health.ts";
import { assertManagedPath, DEBIAN_LAYOUT, runDir } from "./layout.ts";
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

/** WireGuard private keys are generated on the router and never leave it. */
const debianKeys: KeysCapability = {
  async ensureKeys(session, ctx, interfaces) {
    if (interfaces.length === 0) return {};
    const r = await runStep(session, "ensure keys", ensureKeysScript(interfaces));
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

/** The tool behind each validator section of the stage script (scripts.ts validateLines). */
const describeCheck = (check: string) =>
  check === "bird"
    ? "bird -p"
    : check === "frr"
      ? "vtysh --dryrun (/etc/frr/frr.conf)"
      : `wg-quick strip (${check.replace(/^wg:/, "")})`;

/** Stage: uploads (and, for a restore, copies on the device), snapshot, the validators. */
async function stageFiles(
  session: DeviceSession,
  ctx: ApplyContext,
  files: readonly ManagedFile[],
  uploads: readonly StageUpload[],
  secrets: readonly string[],
  copies?: readonly string[],
): Promise<Staged> {
  const nonce = newNonce();
  await runStage(session, ctx, {
    script: stageScript(ctx.runId, files, uploads, nonce, copies),
    nonce,
    secrets,
    describe: describeCheck,
  });
  return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets };
}

export const debianApply: ApplyDriver = {
  capabilities: {
    // No daemon here reverts by itself: arm starts a revert timer on the device.
    nativeCommitConfirm: false,
    // bird -p, vtysh --dryrun and wg-quick strip check a candidate before it is used.
    onDeviceValidation: true,
    keys: debianKeys,
  },

  ...sharedSteps(DEBIAN_LAYOUT),

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    if (candidate.kind !== "files") throw new Error("the Debian driver applies files, not commands");
    let plan: CandidatePlan;
    try {
      plan = candidatePlan(candidate, snapshot, ctx.intent, ctx.env, {
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
    return await stageFiles(session, ctx, plan.files, uploads, plan.secretValues);
  },

  async restorePoints(session, ctx): Promise<RestorePoint[]> {
    const r = await runStep(session, "restore points", restorePointsScript(DEBIAN_LAYOUT));
    if (r.exitCode !== 0) throw unexpected(ctx, "restore points", r);
    try {
      return parseRestorePoints(r.stdout, (p) => isManagedPath(p) || isSecretPath(p));
    } catch (e) {
      throw new CommandError((e as Error).message, details(ctx, "restore points", r.all), r.exitCode);
    }
  },

  async stageRestore(session, ctx, point): Promise<Staged> {
    // The point's files, copied on the device from the old run's snapshot: nothing uploaded but
    // this run's scripts, so no secret travels and none is needed from the environment.
    const restored = restoreFiles(point);
    const files: ManagedFile[] = restored.map((f) => ({
      index: f.index,
      path: assertManagedPath(f.path),
      content: f.content,
      shown: null,
      secret: isSecretPath(f.path),
      ...defaultsFor(f.path),
    }));
    for (const f of files)
      if (!isManagedPath(f.path) && !f.secret)
        throw new CandidateRejectedError(
          `restore point ${point.runId} names a path the driver does not manage: ${f.path}`,
          {
            device: ctx.device.name,
            command: "stage",
          },
        );
    const uploads: StageUpload[] = [
      { rel: "lib.sh", content: libScript(ctx.runId) },
      { rel: "converge.sh", content: convergeScript(ctx.runId, files) },
      { rel: "commit.sh", content: commitScript(files) },
      { rel: "revert.sh", content: revertScript(ctx.runId, files) },
      { rel: "timer.sh", content: timerScript() },
    ];
    return await stageFiles(
      session,
      ctx,
      files,
      uploads,
      [],
      copyLines(DEBIAN_LAYOUT, point.runId, restored),
    );
  },

  async health(session, ctx, probes: readonly HealthProbe[]): Promise<Observation[]> {
    const n = newNonce();
    const r = await runStep(session, "health", healthScript(ctx.runId, ctx.intent, probes, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitSections(r.stdout, n);
    return observeHealth(ctx.intent, probes, { get: (name) => sections.get(name) });
  },
};
