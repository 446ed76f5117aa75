// `reconciler apply [plan.json]`: plans (or checks a saved plan still holds), asks, then hands the
// devices with changes to the rollout engine (rollout/engine.ts: waves, canaries, halting), under
// the repository's run lock. This file only parses flags, asks and prints. Exit 0 when every
// change was confirmed (or there was nothing to do); 1 when a device was rolled back, failed,
// unreadable or not reached, or the run was refused; 130 when interrupted.
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import type { ApplyDriver } from "../drivers/apply-contract.ts";
import { type CommitState, setCommitStatus } from "../github/statuses.ts";
import type { DeviceOutcome } from "../model/outcome.ts";
import type { Plan } from "../model/plan.ts";
import { plan } from "../plan/planner.ts";
import { formatPlan } from "../report/plan-text.ts";
import { createProgress } from "../report/progress.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import type { RolloutResult } from "../rollout/engine.ts";
import { PolicyError, rolloutPolicy } from "../rollout/policy.ts";
import { runRecordOf } from "../rollout/record.ts";
import { applyTargets, defaultHealthSoak } from "../rollout/targets.ts";
import { freezeRefusal } from "../state/freeze.ts";
import type { RunRecord } from "../state/runs.ts";
import { newRunId, StateStore } from "../state/store.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { githubOrExplain, runLogUrl } from "./github-env.ts";
import { cliHooks } from "./hooks-run.ts";
import { planImpact, unreachableRefusal } from "./impact-base.ts";
import { loadSelected, type RepoOptions } from "./open-repo.ts";
import type { PlanDeps } from "./plan.ts";
import { readFleet } from "./read-fleet.ts";
import { rolloutContext, runRolloutForCli, runTimings, seconds } from "./rollout-run.ts";
import { stateDir, underRunLock } from "./run-lock.ts";
import { openStateHistory, operator, saveConfirmed } from "./state-sync.ts";

export interface ApplyCommandOptions extends RepoOptions {
  limit?: string;
  yes?: boolean;
  json?: boolean;
  confirmTimeout?: string;
  healthTimeout?: string;
  soak?: string;
  parallel?: string;
  /** Override the inventory's rollout section. */
  canary?: string;
  batch?: string;
  maxFailPercentage?: string;
  waveSoak?: string;
  /** Apply even when the lockout analysis finds a change that cuts the path to a device. */
  allowLockout?: boolean;
  /** Apply even when a router would lose a prefix it reaches today (impact/). */
  allowUnreachable?: boolean;
  /** Apply even while the fleet is frozen, or a revision that was rolled back. */
  ignoreFreeze?: boolean;
  /** In GitHub Actions: a commit status on the rolled-out commit (reconciler/rollout). */
  github?: boolean;
}

export interface ApplyDeps extends PlanDeps {
  applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>>;
  env: Readonly<Record<string, string | undefined>>;
  /** Asks the operator; only called on a terminal. */
  ask: (question: string) => Promise<boolean>;
  interactive: boolean;
  /** Where SIGINT/SIGTERM come from (process in production; an emitter in tests). */
  signals?: NodeJS.EventEmitter;
  /** Progress lines (stderr in production). */
  err?: NodeJS.WritableStream;
  /** `rollback --to REVISION` applies through this command and records its run as a rollback. */
  recordAs?: "apply" | "rollback";
  /** Told the run's record when it ends (the watch loop backs off per device from it). */
  onRecord?: (record: RunRecord) => void;
}

export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function readSavedPlan(path: string): Promise<Plan> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new CliError(
      `cannot read the plan ${path}: ${err instanceof Error ? err.message : String(err)}`,
      EXIT.usage,
    );
  }
  const p = value as Partial<Plan>;
  if (p?.version !== 1 || !Array.isArray(p.devices)) {
    throw new CliError(`${path} is not a plan written by reconciler plan --out (version 1)`, EXIT.usage);
  }
  // Waves are an order over the whole fleet (docs/sharding.md): one shard's plan is merged first.
  if (p.shard !== undefined)
    throw new CliError(
      `${path} is the plan of shard ${String(p.shard?.shard)} alone: apply the plan merge-plans --out made of every shard`,
      EXIT.usage,
    );
  return p as Plan;
}

/**
 * A saved plan holds only if it was made at the revision being applied (pinned to its commit) and
 * every device it changes is still exactly as it was read then.
 */
function checkSavedPlan(saved: Plan, current: Plan): string[] {
  const problems: string[] = [];
  if (saved.revision && current.revision && saved.revision !== current.revision)
    problems.push(
      `the plan was made at revision ${saved.revision.slice(0, 12)}; the repository is at ${current.revision.slice(0, 12)}`,
    );
  for (const s of saved.devices.filter((d) => d.status === "changes")) {
    const c = current.devices.find((d) => d.device === s.device);
    if (!c || c.status === "error") {
      problems.push(`${s.device}: cannot be read now`);
      continue;
    }
    if (c.fingerprint !== s.fingerprint) {
      problems.push(
        `${s.device}: its live state changed since the plan (fingerprint ${s.fingerprint?.slice(0, 12)} is now ${c.fingerprint?.slice(0, 12)})`,
      );
      continue;
    }
    if (c.candidateFingerprint !== s.candidateFingerprint)
      problems.push(
        `${s.device}: the desired state changed since the plan (its candidate is not the planned one)`,
      );
  }
  return problems;
}

export async function applyCommand(
  planFile: string | undefined,
  opts: ApplyCommandOptions,
  deps: ApplyDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const timings = runTimings(opts);
  const { confirmTimeoutS, healthTimeoutS } = timings;
  const flags = {
    ...(opts.canary !== undefined ? { canary: opts.canary } : {}),
    ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    ...(opts.maxFailPercentage !== undefined ? { maxFailPercentage: opts.maxFailPercentage } : {}),
    ...(opts.waveSoak !== undefined ? { waveSoak: opts.waveSoak } : {}),
  };
  const policyOf = (section: Parameters<typeof rolloutPolicy>[0]) => {
    try {
      return rolloutPolicy(section, flags);
    } catch (err) {
      if (err instanceof PolicyError) throw new CliError(err.message, EXIT.usage);
      throw err;
    }
  };
  policyOf(undefined); // the flags alone, checked before anything is read
  // Nobody can answer the question off a terminal: refused before any device is contacted, not
  // after every device was read and planned.
  if (!opts.yes && !deps.interactive)
    throw new CliError(
      "refusing to apply without --yes when not on a terminal; no device was contacted",
      EXIT.usage,
    );
  const saved = planFile ? await readSavedPlan(planFile) : undefined;
  const github = opts.github ? githubOrExplain(deps.env, "--github") : undefined;
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const { repo } = selected;
  const policy = policyOf(repo.rollout);
  const err = deps.err ?? process.stderr;
  const runId = newRunId();
  /** What the run did, for its record in the state store. */
  const facts: { plan?: Plan; result?: RolloutResult } = {};
  const store = new StateStore(stateDir(opts.repo));
  const hooks = cliHooks({
    repo: opts.repo,
    runId,
    command: deps.recordAs ?? "apply",
    revision: selected.commit,
    store,
    err,
  });
  const logUrl = runLogUrl(deps.env);
  /** The rollout's commit status, when --github: never a reason to stop the run. */
  const status = async (state: CommitState, description: string) => {
    if (!github || !selected.commit) return;
    try {
      await setCommitStatus(github, selected.commit, {
        state,
        description,
        context: "reconciler/rollout",
        ...(logUrl ? { targetUrl: logUrl } : {}),
      });
    } catch (e) {
      err.write(`warning: the commit status could not be set: ${safeMessage((e as Error).message, "  ")}\n`);
    }
  };
  // One run that changes devices at a time: taken before any device is read.
  return await underRunLock(store.dir, { runId, command: "apply" }, err, async () => {
    // Checked under the lock: a rollback setting the freeze holds the same lock.
    const frozen = await freezeRefusal(store.dir, selected.commit);
    if (frozen && !opts.ignoreFreeze) {
      await status("error", `not rolled out: ${frozen}`);
      throw new CliError(`refusing to apply: ${frozen} (or pass --ignore-freeze); no device was contacted`);
    }
    if (frozen && deps.recordAs !== "rollback")
      err.write(`run ${runId}: applying despite the freeze (--ignore-freeze): ${frozen}\n`);
    const history = await openStateHistory(store.dir, opts.repo, repo.state, err);
    const startedAt = new Date();
    let code: number = EXIT.error;
    await status("pending", `rolling out (run ${runId})`);
    try {
      code = await applyLocked(selected, policy);
      return code;
    } finally {
      const r = facts.result;
      await status(
        code === EXIT.ok ? "success" : code === EXIT.interrupted ? "error" : "failure",
        code === EXIT.ok
          ? `rolled out (run ${runId})`
          : r?.halted
            ? `halted at wave ${r.halted.wave + 1}: ${r.halted.failed.join(", ") || r.halted.reason}`
            : `not rolled out (run ${runId}, exit ${code})`,
      );
      const record = runRecordOf({
        runId,
        command: deps.recordAs ?? "apply",
        startedAt,
        endedAt: new Date(),
        ...(selected.commit ? { revision: selected.commit } : {}),
        origin: selected.origin,
        by: operator(),
        ...(facts.plan ? { plan: facts.plan } : {}),
        ...(facts.result ? { result: facts.result } : {}),
        interrupted: code === EXIT.interrupted,
      });
      await history.end(record);
      deps.onRecord?.(record);
    }
  });

  /** on-failure: the run failed before or without a rollout of its own. */
  async function failed(
    stage: string,
    message = "the run failed",
    outcomes?: DeviceOutcome[],
  ): Promise<void> {
    await hooks.run("on-failure", {
      error: { kind: "RunFailed", message },
      stage,
      ...(outcomes ? { outcomes: outcomes.map(hookOutcome) } : {}),
    });
  }

  /** post-device for each device, on-rollback when devices were rolled back, post-apply, on-failure. */
  async function afterRollout(
    r: RolloutResult,
    code: number,
    current: Plan,
    startedMs: number,
  ): Promise<void> {
    const platformOf = new Map(current.devices.map((d) => [d.device, d.platform]));
    for (const o of r.outcomes)
      await hooks.run("post-device", {
        device: o.device,
        platform: platformOf.get(o.device) ?? "",
        outcome: hookOutcome(o),
      });
    const back = r.outcomes.filter((o) => o.result === "rolled-back" || o.result === "reverting");
    if (back.length > 0)
      await hooks.run("on-rollback", {
        trigger: r.halted?.reason === "interrupted" ? "interrupted" : "wave-failed",
        outcomes: back.map(hookOutcome),
      });
    const summary: Partial<Record<DeviceOutcome["result"], number>> & { unchanged: number } = {
      unchanged: current.devices.filter((d) => d.status === "unchanged").length,
    };
    for (const o of r.outcomes) summary[o.result] = (summary[o.result] ?? 0) + 1;
    await hooks.run("post-apply", {
      ok: code === EXIT.ok,
      exitCode: code,
      outcomes: r.outcomes.map(hookOutcome),
      summary,
      ...(r.notReached.length > 0 ? { notReached: r.notReached } : {}),
      durationMs: Date.now() - startedMs,
    });
    if (code !== EXIT.ok)
      await failed(
        r.refused ? "lockout" : "wave",
        r.refused ? "the lockout analysis refused the rollout" : "devices failed or were not reached",
        r.outcomes.filter((o) => o.result !== "confirmed"),
      );
  }

  async function applyLocked(
    selected: NonNullable<Awaited<ReturnType<typeof loadSelected>>>,
    policy: ReturnType<typeof rolloutPolicy>,
  ): Promise<number> {
    const { repo } = selected;
    let devices = selected.devices;
    if (saved) {
      const inPlan = new Set(saved.devices.filter((d) => d.status === "changes").map((d) => d.device));
      devices = devices.filter((d) => inPlan.has(d.name));
    }
    const prePlan = await hooks.run("pre-plan", {
      selection: { ...(opts.limit ? { limit: opts.limit } : {}), devices: devices.map((d) => d.name) },
    });
    if (prePlan.aborted) {
      out.write(
        `refusing to apply: ${safeMessage(prePlan.reason ?? "a pre-plan hook failed", "  ")}; no device was contacted\n`,
      );
      await failed("hook:pre-plan", prePlan.reason);
      return EXIT.error;
    }
    const transport = deps.openTransport(repo, selected.knownHosts);
    try {
      const inputs = await readFleet(repo, devices, transport, deps.drivers, createProgress());
      const current = plan(inputs, {
        origin: selected.origin,
        drivers: deps.drivers,
        ...(selected.commit ? { revision: selected.commit } : {}),
      });
      facts.plan = current;
      if (saved) {
        const problems = checkSavedPlan(saved, current);
        if (problems.length > 0) {
          out.write(
            `refusing the saved plan ${planFile}: nothing was changed\n${problems.map((p) => `  ${p}`).join("\n")}\nRun reconciler plan again.\n`,
          );
          return EXIT.error;
        }
      }
      // The routing impact against what the network runs (the newest confirmed run's revision).
      const impact = await planImpact(repo, { repo: opts.repo, revision: opts.revision }, {});
      if (impact) current.impact = impact;
      if (!opts.json) out.write(formatPlan(current, { color }));
      const todo = current.devices.filter((d) => d.status === "changes");
      const unreadable = current.devices.filter((d) => d.status === "error");
      if (todo.length === 0) {
        if (opts.json) out.write(`${JSON.stringify({ plan: current, outcomes: [] }, null, 2)}\n`);
        else out.write("Nothing to apply.\n");
        return unreadable.length > 0 ? EXIT.error : EXIT.ok;
      }
      // As the lockout analysis: refused before anything is touched, unless explicitly overridden.
      const lost = typeof impact === "object" && !opts.allowUnreachable ? unreachableRefusal(impact) : [];
      if (lost.length > 0) {
        if (opts.json)
          out.write(`${JSON.stringify({ plan: current, outcomes: [], unreachable: lost }, null, 2)}\n`);
        else
          out.write(
            `refusing to apply: routers would lose prefixes they reach today; nothing was changed (or pass --allow-unreachable)\n${lost.map((l) => `  ${safeLine(l)}`).join("\n")}\n`,
          );
        await failed("impact", "the routing impact analysis refused the rollout");
        return EXIT.error;
      }
      if (!opts.yes) {
        const total = todo.reduce((n, d) => n + d.changes.length, 0);
        if (!(await deps.ask(`Apply ${total} changes to ${todo.map((d) => d.device).join(", ")}?`))) {
          out.write("Nothing applied.\n");
          return EXIT.ok;
        }
      }
      const targets = applyTargets(repo, current, inputs, deps.drivers);
      const missing = targets.filter((t) => !deps.applyDrivers[t.device.platform]);
      if (missing.length > 0)
        throw new CliError(
          `no apply support yet for ${missing.map((t) => `${t.device.name} (${t.device.platform})`).join(", ")}`,
        );
      const soakS = opts.soak !== undefined ? seconds(opts.soak, 0, "--soak") : defaultHealthSoak(targets);
      if (soakS + healthTimeoutS + 30 > confirmTimeoutS) {
        throw new CliError(
          `--confirm-timeout ${confirmTimeoutS} s is too short for --health-timeout ${healthTimeoutS} s plus a soak of ${soakS} s and 30 s to confirm`,
          EXIT.usage,
        );
      }
      // The operator's last word before anything is locked or changed.
      const preApply = await hooks.run("pre-apply", {
        plan: {
          devices: current.devices.map((d) => ({
            device: d.device,
            platform: d.platform,
            changes: d.changes.length,
            ...(repo.devices[d.device]?.labels ? { labels: repo.devices[d.device]?.labels ?? {} } : {}),
          })),
        },
        confirmTimeoutS,
      });
      if (preApply.aborted) {
        out.write(
          `refusing to apply: ${safeMessage(preApply.reason ?? "a pre-apply hook failed", "  ")}; nothing was changed\n`,
        );
        await failed("hook:pre-apply", preApply.reason);
        return EXIT.error;
      }
      const startedMs = Date.now();
      const { code, result } = await runRolloutForCli({
        input: { repo, plan: current, targets },
        policy,
        ...(opts.allowLockout ? { allowLockout: true } : {}),
        ...rolloutContext(deps, {
          runId,
          transport,
          store,
          timings,
          out,
          err,
          color,
          json: opts.json === true,
        }),
        soakS,
      });
      if (result) await afterRollout(result, code, current, startedMs);
      if (result) {
        facts.result = result;
        await saveConfirmed(
          store,
          result,
          targets,
          { runId, origin: selected.origin, commit: selected.commit },
          err,
        );
      }
      return code === EXIT.ok && unreadable.length > 0 ? EXIT.error : code;
    } finally {
      await transport.closeAll();
    }
  }
}

const hookOutcome = (o: DeviceOutcome) => ({
  device: o.device,
  result: o.result,
  ...(o.failedStep ? { failedStep: o.failedStep } : {}),
  ...(o.error ? { error: o.error } : {}),
  ...(o.revertsAt ? { revertsAt: o.revertsAt } : {}),
});
