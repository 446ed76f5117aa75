// opnsenseApply: the apply protocol on an OPNsense box. The kit (drivers/kit) does what every
// POSIX-like device shares (lock, arm, rearm, abandon, confirm, rollback, the stage script's
// frame, the detached revert timer); this file adds what is OPNsense's: config.xml written as
// OPNsense saves it, under its lock, only if nobody saved since the read (scripts.ts); the
// device's own secrets put back on the device; the services the change touches reloaded through
// configctl; the health gate through vtysh and wg.
import { CandidateRejectedError } from "../../../model/errors.ts";
import type { Candidate, LiveState } from "../../../model/live.ts";
import type { ApplyContext, ApplyDriver, Staged } from "../../apply-contract.ts";
import type { HealthProbe, Observation } from "../../health.ts";
import { candidateRel } from "../../kit/files.ts";
import type { CommitFile } from "../../kit/run-scripts.ts";
import { commitScript, libScript, revertScript, stageScript } from "../../kit/run-scripts.ts";
import { newNonce, splitSections } from "../../kit/sections.ts";
import { runStep, unexpected } from "../../kit/step.ts";
import { runStage, sharedSteps } from "../../kit/steps.ts";
import { timerScript } from "../../kit/timer.ts";
import { TRANSFER_AT_COMMIT_LINE } from "../../kit/wireguard-health.ts";
import { affectedServices, CONFIG_XML } from "../driver.ts";
import { parseXml, XmlParseError } from "../xml.ts";
import { fillEnvSecrets } from "./env-secrets.ts";
import { fillSecretsAwk } from "./fill-secrets.ts";
import { healthScript, observeHealth } from "./health.ts";
import { opnsenseKeys } from "./keys.ts";
import { OPNSENSE_LAYOUT, runDir } from "./layout.ts";
import {
  convergeScript,
  opnsenseHelpers,
  restoreConfigScript,
  validateLines,
  writeConfigScript,
} from "./scripts.ts";

const describeCheck = (check: string) =>
  check === "unchanged"
    ? "compare-and-swap on /conf/config.xml"
    : check === "secrets"
      ? "the device's secrets for the candidate"
      : check;

function rejected(ctx: ApplyContext, why: string): CandidateRejectedError {
  return new CandidateRejectedError(`candidate rejected: ${why}`, {
    device: ctx.device.name,
    command: "stage",
  });
}

export const opnsenseApply: ApplyDriver = {
  capabilities: {
    // OPNsense has no commit-confirm of its own (opnsense/plugins #2976): the kit's timer reverts.
    nativeCommitConfirm: false,
    // Nothing on the box checks a config.xml before it is used (its models validate in the GUI's
    // PHP, not from a shell): stage checks what it can (well-formed, unchanged since the read,
    // every secret resolvable) and says so through CandidateRejectedError.
    onDeviceValidation: false,
    keys: opnsenseKeys,
  },

  ...sharedSteps(OPNSENSE_LAYOUT),

  async stage(session, ctx, candidate: Candidate, snapshot: LiveState): Promise<Staged> {
    if (candidate.kind !== "files") throw new Error("the OPNsense driver applies config.xml, not commands");
    const text = candidate.files[CONFIG_XML];
    const extra = Object.keys(candidate.files).filter((p) => p !== CONFIG_XML);
    if (typeof text !== "string" || extra.length > 0)
      throw rejected(ctx, `the OPNsense driver writes ${CONFIG_XML} and nothing else`);
    const expected = snapshot.artifacts[CONFIG_XML];
    if (typeof expected !== "string")
      throw rejected(ctx, `${CONFIG_XML} was not read: nothing to compare with`);
    try {
      parseXml(text);
    } catch (e) {
      if (e instanceof XmlParseError)
        throw rejected(ctx, `the candidate config.xml is not well-formed: ${e.message}`);
      throw e;
    }
    const env = fillEnvSecrets(text, ctx.intent, ctx.env);
    if ("missing" in env) throw rejected(ctx, env.missing);
    const file = {
      index: 0,
      path: CONFIG_XML,
      content: env.text,
      mode: "0644",
      owner: "root:wheel",
      dirMode: "0755",
    };
    const services = affectedServices(expected, text);
    const uploads = [
      { rel: "lib.sh", content: libScript(OPNSENSE_LAYOUT, ctx.runId, opnsenseHelpers(ctx.runId)) },
      { rel: "converge.sh", content: convergeScript(services) },
      {
        rel: "commit.sh",
        content: commitScript([file] as CommitFile[], {
          install: [`with_config_lock sh "$RUN/write-config.sh" || fail 'config.xml was not written'`],
          after: [TRANSFER_AT_COMMIT_LINE],
        }),
      },
      {
        rel: "revert.sh",
        content: revertScript(OPNSENSE_LAYOUT, ctx.runId, [file], {
          restore: [`with_config_lock sh "$RUN/restore-config.sh" || fail 'could not restore ${CONFIG_XML}'`],
        }),
      },
      { rel: "timer.sh", content: timerScript() },
      { rel: "write-config.sh", content: writeConfigScript(file) },
      { rel: "restore-config.sh", content: restoreConfigScript() },
      { rel: "fill-secrets.awk", content: fillSecretsAwk() },
      { rel: "expected.xml", content: expected },
      { rel: candidateRel(file), content: env.text },
    ];
    const nonce = newNonce();
    await runStage(session, ctx, {
      script: stageScript({
        layout: OPNSENSE_LAYOUT,
        runId: ctx.runId,
        nonce,
        uploads,
        files: [file],
        checkDirs: ["check"],
        validate: validateLines(file),
        record: [],
      }),
      nonce,
      secrets: env.secrets,
      describe: describeCheck,
    });
    return { runId: ctx.runId, where: `${runDir(ctx.runId)}/candidate`, secrets: env.secrets };
  },

  async health(session, ctx, probes: readonly HealthProbe[]): Promise<Observation[]> {
    const n = newNonce();
    const r = await runStep(session, "health", healthScript(ctx.runId, probes, n));
    if (r.exitCode !== 0) throw unexpected(ctx, "health", r);
    const sections = splitSections(r.stdout, n);
    return observeHealth(probes, { get: (name) => sections.get(name) });
  },
};
