// opengearApply: the apply protocol on an Opengear box, commit-confirmed through the kit. The kit
// (drivers/kit) does what every POSIX-like device shares (lock, arm, rearm, abandon, confirm,
// rollback, the stage script's frame, the detached revert timer); this file adds what is
// Opengear's (scripts.ts): the stage copies the WHOLE store aside (/etc/config/ngcs.db, byte for
// byte, plus an `ogcli export` of the same moment), because ogcli's restore and import are not
// atomic; the commit runs the planned ogcli commands in order and stops at the first failure; the
// revert puts the store back and has the services follow it (`ogcli restore` of the saved
// export), by itself unless confirmed. The health gate: health.ts.
import { CandidateRejectedError, CommandError } from "../../../model/errors.ts";
import type { Candidate, LiveState } from "../../../model/live.ts";
import type { ApplyContext, ApplyDriver, RestorePoint, Staged } from "../../apply-contract.ts";
import type { HealthProbe, Observation } from "../../health.ts";
import { parseRestorePoints, restorePointsScript } from "../../kit/restore.ts";
import type { CommitFile } from "../../kit/run-scripts.ts";
import { commitScript, libScript, revertScript, stageScript } from "../../kit/run-scripts.ts";
import { newNonce, splitSections } from "../../kit/sections.ts";
import { details, runStep, unexpected } from "../../kit/step.ts";
import { runStage, sharedSteps } from "../../kit/steps.ts";
import { timerScript } from "../../kit/timer.ts";
import { TRANSFER_AT_COMMIT_LINE } from "../../kit/wireguard-health.ts";
import { EXPORT_ARTIFACT } from "../read-script.ts";
import { healthScript, observeHealth } from "./health.ts";
import { opengearKeys } from "./keys.ts";
import { OPENGEAR_LAYOUT, runDir, STORE_DB } from "./layout.ts";
import { assertStorePoint, restoreCommandsScript, restoreCopyLines } from "./restore.ts";
import {
  commandsScript,
  converge,
  installLines,
  opengearHelpers,
  recordLines,
  restoreLines,
  validateLines,
} from "./scripts.ts";
import { fillEnvSecrets } from "./secrets.ts";

const CHECKS: Readonly<Record<string, string>> = {
  ogcli: "ogcli",
  store: `the store ${STORE_DB}`,
  unchanged: "compare-and-swap on the store's export",
  keys: "the WireGuard keys generated on the box",
  placeholders: "the candidate's secrets",
};

function rejected(ctx: ApplyContext, why: string): CandidateRejectedError {
  return new CandidateRejectedError(`candidate rejected: ${why}`, {
    device: ctx.device.name,
    command: "stage",
  });
}

/** The store is the one managed file: snapshot/0 is its byte-identical copy. */
const STORE_FILE: CommitFile = {
  index: 0,
  path: STORE_DB,
  content: null,
  mode: "0600",
  owner: "root:root",
  dirMode: "0755",
};

/** The stage every run shares: scripts, the compare-and-swap, the whole-store snapshot. */
async function stageOnBox(
  session: Parameters<ApplyDriver["stage"]>[0],
  ctx: ApplyContext,
  expected: string,
  commands: string,
  secrets: readonly string[],
  copies: readonly string[] = [],
): Promise<void> {
  const files = [STORE_FILE];
  const uploads = [
    { rel: "lib.sh", content: libScript(OPENGEAR_LAYOUT, ctx.runId, opengearHelpers()) },
    { rel: "converge.sh", content: converge() },
    {
      rel: "commit.sh",
      content: commitScript(files, { install: installLines, after: [TRANSFER_AT_COMMIT_LINE] }),
    },
    {
      rel: "revert.sh",
      content: revertScript(OPENGEAR_LAYOUT, ctx.runId, files, { restore: restoreLines() }),
    },
    { rel: "timer.sh", content: timerScript() },
    { rel: "expected.export", content: expected },
    { rel: "candidate/commands.in", content: commands },
  ];
  const nonce = newNonce();
  await runStage(session, ctx, {
    script: stageScript({
      layout: OPENGEAR_LAYOUT,
      runId: ctx.runId,
      nonce,
      uploads,
      copies,
      files,
      checkDirs: ["check"],
      validate: validateLines(),
      record: recordLines(),
    }),
    nonce,
    secrets,
    describe: (check) => CHECKS[check] ?? check,
  });
}

export const opengearApply: ApplyDriver = {
  capabilities: {
    // ogcli applies every command at once and has no confirm of its own: the kit's timer reverts.
    nativeCommitConfirm: false,
    // ogcli has no dry run: stage checks what it can (the store unchanged since the read, keys,
    // secrets) and refuses through CandidateRejectedError.
    onDeviceValidation: false,
    keys: opengearKeys,
  },

  ...sharedSteps(OPENGEAR_LAYOUT),

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    if (candidate.kind !== "commands")
      throw new Error("the Opengear driver applies ogcli commands, not files");
    const expected = snapshot.artifacts[EXPORT_ARTIFACT];
    if (typeof expected !== "string") throw rejected(ctx, "the store was not read: nothing to compare with");
    const filled = fillEnvSecrets(candidate.commands, ctx.intent, ctx.env);
    if ("missing" in filled) throw rejected(ctx, filled.missing);
    await stageOnBox(session, ctx, expected, commandsScript(filled.commands), filled.secrets);
    return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets: filled.secrets };
  },

  async restorePoints(session, ctx): Promise<RestorePoint[]> {
    const r = await runStep(session, "restore points", restorePointsScript(OPENGEAR_LAYOUT));
    if (r.exitCode !== 0) throw unexpected(ctx, "restore points", r);
    try {
      return parseRestorePoints(r.stdout, (p) => p === STORE_DB);
    } catch (e) {
      throw new CommandError((e as Error).message, details(ctx, "restore points", r.all), r.exitCode);
    }
  },

  async stageRestore(session, ctx, point, snapshot): Promise<Staged> {
    try {
      assertStorePoint(point);
    } catch (e) {
      throw rejected(ctx, (e as Error).message);
    }
    const expected = snapshot.artifacts[EXPORT_ARTIFACT];
    if (typeof expected !== "string") throw rejected(ctx, "the store was not read: nothing to compare with");
    await stageOnBox(session, ctx, expected, restoreCommandsScript(), [], restoreCopyLines(point));
    return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets: [] };
  },

  async health(session, ctx, probes: readonly HealthProbe[]): Promise<Observation[]> {
    const n = newNonce();
    const r = await runStep(session, "health", healthScript(ctx.runId, probes, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitSections(r.stdout, n);
    return observeHealth(probes, { get: (name) => sections.get(name) }, ctx.intent);
  },
};
