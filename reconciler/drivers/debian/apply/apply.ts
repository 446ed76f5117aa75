// debianApply: the apply protocol on a Debian router. The kit (drivers/kit) does what every
// POSIX-like device shares (lock, arm, rearm, abandon, commit, confirm, rollback, the stage
// script's frame); this file adds what is Debian's: the candidate with its secrets, the
// validators' names, WireGuard keys generated on the router, and the health gate's collection.
// Each step is one round trip over the session it is given.
import { randomBytes } from "node:crypto";
import { CandidateRejectedError, CommandError } from "../../../model/errors.ts";
import type { Candidate, LiveState } from "../../../model/live.ts";
import type { ApplyDriver, KeysCapability, Staged } from "../../apply-contract.ts";
import type { HealthProbe, Observation } from "../../health.ts";
import { newNonce, splitSections } from "../../kit/sections.ts";
import { details, runStep, unexpected } from "../../kit/step.ts";
import { runStage, sharedSteps } from "../../kit/steps.ts";
import { timerScript } from "../../kit/timer.ts";
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
    const nonce = newNonce();
    await runStage(session, ctx, {
      script: stageScript(ctx.runId, plan.files, uploads, nonce),
      nonce,
      secrets: plan.secretValues,
      describe: describeCheck,
    });
    return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets: plan.secretValues };
  },

  async health(session, ctx, probes: readonly HealthProbe[]): Promise<Observation[]> {
    const n = newNonce();
    const r = await runStep(session, "health", healthScript(ctx.runId, ctx.intent, probes, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitSections(r.stdout, n);
    return observeHealth(ctx.intent, probes, { get: (name) => sections.get(name) });
  },
};
