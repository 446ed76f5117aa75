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
import type { LiveState, Rendered } from "../../../model/live.ts";
import type { DeviceSession } from "../../../transport/session.ts";
import type {
  ApplyContext,
  ApplyDriver,
  HealthExpectations,
  HealthReport,
  Staged,
} from "../../apply-contract.ts";
import { splitReadOutput } from "../read-script.ts";
import { type CandidatePlan, candidatePlan, MissingSecretError } from "./candidate.ts";
import { evaluateHealth, healthScript } from "./health.ts";
import { runDir } from "./layout.ts";
import {
  armScript,
  candidateRel,
  commitScript,
  confirmScript,
  convergeScript,
  ensureKeysScript,
  libScript,
  lockScript,
  revertScript,
  rollbackScript,
  type StageUpload,
  stagePayload,
  stageScript,
  timerScript,
  unlockScript,
} from "./scripts.ts";

const nonce = () => randomBytes(10).toString("hex");
const now = () => new Date().toISOString();

/** Secret values of each run's candidate, to redact device output with (kept in memory only). */
const secretsOfRun = new Map<string, string[]>();

function details(ctx: ApplyContext, command: string, output: string): DeviceErrorDetails {
  return { device: ctx.device.name, command, output: redact(output, secretsOfRun.get(ctx.runId) ?? []) };
}

async function runScript(
  session: DeviceSession,
  step: string,
  script: string,
  stdin?: string,
  timeoutMs?: number,
) {
  const r = await session.script(script, {
    allowFailure: true,
    ...(stdin !== undefined ? { stdin } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return { ...r, command: step, all: `${r.stdout}${r.stderr ? `\n${r.stderr}` : ""}` };
}

function unexpected(ctx: ApplyContext, step: string, r: { exitCode: number; all: string }): CommandError {
  return new CommandError(
    `${step} failed (status ${r.exitCode}): ${r.all.trim().slice(0, 2000)}`,
    details(ctx, step, r.all),
    r.exitCode,
  );
}

export const debianApply: ApplyDriver = {
  async lock(session, ctx) {
    const r = await runScript(
      session,
      "lock",
      lockScript(ctx.runId, `${hostname()} pid ${process.pid}`, now()),
    );
    if (r.stdout.startsWith("@@locked")) return;
    if (r.stdout.startsWith("@@held")) {
      const owner = r.stdout
        .replace(/^@@held\n/, "")
        .trim()
        .replace(/\n/g, ", ");
      throw new LockHeldError(`the device is locked by another run (${owner})`, details(ctx, "lock", r.all));
    }
    throw unexpected(ctx, "lock", r);
  },

  async unlock(session, ctx) {
    const r = await runScript(session, "unlock", unlockScript(ctx.runId));
    if (r.exitCode !== 0) throw unexpected(ctx, "unlock", r);
  },

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

  async stage(session, ctx, rendered: Rendered, snapshot: LiveState): Promise<Staged> {
    let plan: CandidatePlan;
    try {
      plan = candidatePlan(rendered, snapshot, ctx.intent, ctx.env);
    } catch (e) {
      if (e instanceof MissingSecretError)
        throw new CandidateRejectedError(`candidate rejected: ${e.message}`, {
          device: ctx.device.name,
          command: "stage",
        });
      throw e;
    }
    secretsOfRun.set(ctx.runId, plan.secretValues);
    const uploads: StageUpload[] = [
      { rel: "lib.sh", content: libScript(ctx.runId) },
      { rel: "converge.sh", content: convergeScript(ctx.runId, plan.files) },
      { rel: "commit.sh", content: commitScript(plan.files) },
      { rel: "revert.sh", content: revertScript(ctx.runId, plan.files) },
      { rel: "timer.sh", content: timerScript() },
    ];
    for (const f of plan.files)
      if (f.content !== null) uploads.push({ rel: candidateRel(f), content: f.content });
    const n = nonce();
    const r = await runScript(
      session,
      "stage",
      stageScript(ctx.runId, plan.files, uploads, n),
      stagePayload(uploads, n),
      120_000,
    );
    const sections = splitReadOutput(r.stdout, n);
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
    if (r.exitCode !== 0 || !r.stdout.includes("@@staged")) throw unexpected(ctx, "stage", r);
    const files: Record<string, string | null> = {};
    for (const f of plan.files) files[f.path] = f.shown;
    return { runId: ctx.runId, dir: `${runDir(ctx.runId)}/candidate`, files };
  },

  async arm(session, ctx, _staged, timeoutS) {
    const r = await runScript(session, "arm", armScript(ctx.runId, Math.ceil(timeoutS)));
    if (r.exitCode !== 0 || !r.stdout.includes("@@armed")) throw unexpected(ctx, "arm", r);
  },

  async commit(session, ctx, _staged) {
    const r = await runScript(session, "commit", `sh ${runDir(ctx.runId)}/commit.sh`, undefined, 180_000);
    if (r.exitCode !== 0)
      throw new CommitFailedError(
        `commit failed (status ${r.exitCode}): ${redact(r.all.trim(), secretsOfRun.get(ctx.runId) ?? []).slice(-3000)}`,
        details(ctx, "commit", r.all),
      );
  },

  async health(session, ctx, expect: HealthExpectations): Promise<HealthReport> {
    const n = nonce();
    const r = await runScript(session, "health", healthScript(ctx.runId, ctx.intent, expect, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitReadOutput(r.stdout, n);
    return evaluateHealth(ctx.intent, expect, { get: (name) => sections.get(name) });
  },

  async confirm(session, ctx) {
    const r = await runScript(session, "confirm", confirmScript(ctx.runId, now()));
    if (r.stdout.includes("@@reverted"))
      throw new CommitFailedError(
        `too late to confirm: the device already reverted this run by itself (${r.stdout.replace("@@reverted", "").trim()})`,
        details(ctx, "confirm", r.all),
      );
    if (r.exitCode !== 0 || !r.stdout.includes("@@confirmed")) throw unexpected(ctx, "confirm", r);
    secretsOfRun.delete(ctx.runId);
  },

  async rollback(session, ctx, _staged) {
    const r = await runScript(session, "rollback", rollbackScript(ctx.runId), undefined, 180_000);
    if (r.exitCode !== 0)
      throw new CommitFailedError(
        `rollback: the snapshot was restored but the reload reported errors: ${redact(r.all.trim(), secretsOfRun.get(ctx.runId) ?? []).slice(-3000)}`,
        details(ctx, "rollback", r.all),
      );
    secretsOfRun.delete(ctx.runId);
  },
};
