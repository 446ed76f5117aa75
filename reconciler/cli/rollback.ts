// `reconciler rollback`: the emergency way back, needing nothing but SSH to the devices.
//   --to-last-confirmed  each device restores the configuration it kept from before its newest
//                        confirmed run (the snapshot on the device itself: no git remote, no
//                        GitHub, no secrets in the environment), under the same commit-confirmed
//                        protocol and health gates; run again to go one run further back;
//   --to REVISION        applies an earlier revision's desired state (from the local git).
// Both set the fleet's freeze first (state/freeze.ts): apply refuses until `reconciler unfreeze`,
// and the rolled-back revision is never applied again until the branch moves past it. The freeze,
// the journal and the run record are the state store's; a store that cannot be written is a
// warning, never a reason not to roll back.
import { healthProbes } from "../apply/expectations.ts";
import type { RestorePoint } from "../drivers/apply-contract.ts";
import type { LiveState } from "../model/live.ts";
import type { Plan } from "../model/plan.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { createProgress } from "../report/progress.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import type { RolloutResult } from "../rollout/engine.ts";
import { PolicyError, rolloutPolicy } from "../rollout/policy.ts";
import { runRecordOf } from "../rollout/record.ts";
import {
  baseRun,
  chooseRestores,
  findRestorePoints,
  type RestoreChoice,
  restoreTargets,
} from "../rollout/restore.ts";
import { freeze } from "../state/freeze.ts";
import { type RunRecord, readRunRecords } from "../state/runs.ts";
import { newRunId, StateStore } from "../state/store.ts";
import { type ApplyCommandOptions, type ApplyDeps, applyCommand } from "./apply.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { cliHooks } from "./hooks-run.ts";
import { loadFromOptions, loadSelected, openReader } from "./open-repo.ts";
import { readFleet } from "./read-fleet.ts";
import { rolloutContext, runRolloutForCli, runTimings } from "./rollout-run.ts";
import { stateDir, underRunLock } from "./run-lock.ts";
import { openStateHistory, operator, saveConfirmed } from "./state-sync.ts";

export interface RollbackOptions {
  repo?: string;
  limit?: string;
  toLastConfirmed?: boolean;
  to?: string;
  /** With --to-last-confirmed: the run to undo (default: the newest one the devices kept). */
  run?: string;
  yes?: boolean;
  json?: boolean;
  confirmTimeout?: string;
  healthTimeout?: string;
  parallel?: string;
  batch?: string;
  maxFailPercentage?: string;
}

/**
 * The revision a restore point's configuration came from: the newest apply run before the point's
 * run that confirmed this device. Undefined when the store does not know it.
 */
export function revisionBefore(
  records: readonly RunRecord[],
  device: string,
  pointRun: string,
): string | undefined {
  const before = baseRun(pointRun);
  const found = [...records]
    .filter((r) => r.command === "apply" && r.runId < before)
    .filter((r) => r.devices.some((d) => d.device === device && d.result === "confirmed"))
    .sort((a, b) => (a.runId < b.runId ? 1 : -1))[0];
  return found?.revision;
}

/** The revision being rolled back: the newest apply run's, else what the working tree is at. */
function rolledBackRevision(records: readonly RunRecord[], head: string | undefined): string | undefined {
  const last = [...records]
    .filter((r) => r.command === "apply" && r.revision && r.result !== "refused")
    .at(-1);
  return last?.revision ?? head;
}

export async function rollbackCommand(
  opts: RollbackOptions,
  deps: ApplyDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  if (Boolean(opts.toLastConfirmed) === Boolean(opts.to))
    throw new CliError("say where to roll back to: --to-last-confirmed or --to REVISION", EXIT.usage);
  if (opts.run !== undefined && (opts.to || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.run)))
    throw new CliError(
      "--run ID goes with --to-last-confirmed and names a run (as history shows it)",
      EXIT.usage,
    );
  const err = deps.err ?? process.stderr;
  const store = new StateStore(stateDir(opts.repo));
  let records: RunRecord[] = [];
  try {
    const read = await readRunRecords(store.dir);
    records = read.records;
    if (read.damaged.length > 0)
      err.write(
        `warning: ${read.damaged.length} run record(s) in the state store cannot be read; passed over\n`,
      );
  } catch (e) {
    err.write(
      `warning: the state store's run records cannot be read (${safeMessage((e as Error).message, "  ")}); rolling back without them\n`,
    );
  }

  if (opts.to) {
    // A revision that does not exist is refused before the fleet is frozen.
    await openReader({ ...(opts.repo ? { repo: opts.repo } : {}), revision: opts.to });
    const selected = await loadSelected({ ...(opts.repo ? { repo: opts.repo } : {}) }, out, color);
    const bad = rolledBackRevision(records, selected?.commit);
    await setFreeze(`rollback --to ${opts.to}`, bad);
    const applyOpts: ApplyCommandOptions = {
      ...opts,
      revision: opts.to,
      ignoreFreeze: true,
      maxFailPercentage: opts.maxFailPercentage ?? "100",
    };
    return await applyCommand(undefined, applyOpts, { ...deps, recordAs: "rollback" }, out, color);
  }

  const timings = runTimings(opts);
  const { parallel } = timings;
  let policy: ReturnType<typeof rolloutPolicy>;
  try {
    // In an emergency every device that can be restored is: one device failing does not stop the
    // others (unless the operator says otherwise). No canaries: the way back is not an experiment.
    policy = rolloutPolicy(undefined, {
      canary: "",
      maxFailPercentage: opts.maxFailPercentage ?? "100",
      ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    });
  } catch (e) {
    if (e instanceof PolicyError) throw new CliError(e.message, EXIT.usage);
    throw e;
  }
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const { repo, devices } = selected;
  const runId = newRunId();
  const bad = rolledBackRevision(records, selected.commit);

  return await underRunLock(store.dir, { runId, command: "rollback" }, err, async () => {
    await setFreeze("rollback --to-last-confirmed", bad, runId);
    const history = await openStateHistory(store.dir, opts.repo, repo.state, err);
    const startedAt = new Date();
    const facts: { plan?: Plan; result?: RolloutResult; restored?: { device: string; fromRun: string }[] } =
      {};
    let code: number = EXIT.error;
    const transport = deps.openTransport(repo, selected.knownHosts);
    try {
      code = await restoreLocked();
      return code;
    } finally {
      await transport.closeAll();
      await history.end(
        runRecordOf({
          runId,
          command: "rollback",
          startedAt,
          endedAt: new Date(),
          origin: "configurations kept on the devices",
          by: operator(),
          ...(facts.plan ? { plan: facts.plan } : {}),
          ...(facts.result ? { result: facts.result } : {}),
          ...(facts.restored ? { restored: facts.restored } : {}),
          interrupted: code === EXIT.interrupted,
        }),
      );
    }

    async function restoreLocked(): Promise<number> {
      const inputs = await readFleet(repo, devices, transport, deps.drivers, createProgress());
      const live = new Map<string, LiveState>();
      const problems: string[] = [];
      for (const i of inputs) {
        if ("error" in i.live)
          problems.push(
            `${safeLine(i.device.name)}: cannot be read: ${safeMessage(i.live.error?.message ?? "unreadable", "    ")}`,
          );
        else live.set(i.device.name, i.live);
      }
      const found = await findRestorePoints(
        devices.filter((d) => live.has(d.name)),
        { transport, drivers: deps.applyDrivers, runId, repo, env: deps.env, parallel },
      );
      const { run: undoing, choices } = chooseRestores(found, opts.run);
      for (const c of choices)
        if (c.problem) problems.push(`${safeLine(c.device.name)}: ${safeMessage(c.problem, "    ")}`);
      const chosen = choices.filter((c) => c.point);
      if (!opts.json) {
        if (chosen.length > 0)
          out.write(
            `Rollback of run ${safeLine(undoing ?? "?")} to the configuration confirmed before it:\n`,
          );
        for (const c of chosen) out.write(describeChoice(c));
        for (const c of choices)
          if (c.skipped) out.write(`  ${safeLine(c.device.name)}: ${safeLine(c.skipped)}\n`);
        if (problems.length > 0) out.write(`Not rolled back:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
      }
      if (chosen.length === 0) {
        if (opts.json) out.write(`${JSON.stringify({ runId, undoing, restored: [], problems }, null, 2)}\n`);
        else out.write("Nothing to roll back.\n");
        return EXIT.error;
      }
      if (!opts.yes) {
        if (!deps.interactive)
          throw new CliError("refusing to roll back without --yes when not on a terminal", EXIT.usage);
        if (!(await deps.ask(`Roll back ${chosen.length} device(s)?`))) {
          out.write("Nothing rolled back (the fleet stays frozen: reconciler unfreeze lifts it).\n");
          return EXIT.ok;
        }
      }
      const revisions = new Map<string, DesiredRepo | undefined>();
      const warned: string[] = [];
      const gates = async (device: ResolvedDevice, point: RestorePoint) => {
        const rev = revisionBefore(records, device.name, point.runId);
        let atRev: DesiredRepo | undefined;
        if (rev) {
          if (!revisions.has(rev)) {
            try {
              const loaded = await loadFromOptions({
                ...(opts.repo ? { repo: opts.repo } : {}),
                revision: rev,
              });
              revisions.set(rev, loaded.repo);
            } catch {
              revisions.set(rev, undefined);
            }
          }
          atRev = revisions.get(rev);
        }
        if (atRev?.expanded[device.name])
          return { intent: atRev.expanded[device.name] ?? {}, probes: healthProbes(atRev, device.name) };
        warned.push(device.name);
        return { intent: repo.expanded[device.name] ?? {}, probes: [] };
      };
      const gateOf = new Map<string, Awaited<ReturnType<typeof gates>>>();
      for (const c of chosen) gateOf.set(c.device.name, await gates(c.device, c.point as RestorePoint));
      if (warned.length > 0)
        err.write(
          `warning: the state store does not know which revision the restored configuration of ${warned.map(safeLine).join(", ")} came from: its health gate is that the device answers over a new connection\n`,
        );
      const targets = restoreTargets(chosen, live, (d) => gateOf.get(d.name) ?? { intent: {}, probes: [] });
      facts.restored = chosen.map((c) => ({
        device: c.device.name,
        fromRun: (c.point as RestorePoint).runId,
      }));
      const plan: Plan = {
        version: 1,
        createdAt: new Date().toISOString(),
        origin: "configurations kept on the devices",
        devices: targets.map((t) => ({
          device: t.device.name,
          platform: t.device.platform,
          status: "changes",
          changes: [],
          files: [],
          unmanaged: [],
        })),
      };
      facts.plan = plan;
      const { code, result } = await runRolloutForCli({
        input: { repo, plan, targets },
        policy,
        // What the devices ran before is what they are reached with: no lockout analysis.
        allowLockout: true,
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
        soakS: 0,
        extra: { undoing, restored: facts.restored, problems },
      });
      if (result) {
        facts.result = result;
        await saveConfirmed(
          store,
          result,
          targets,
          { runId, origin: "configurations kept on the devices" },
          err,
        );
        await cliHooks({ repo: opts.repo, runId, command: "rollback", store, err }).run("on-rollback", {
          trigger: "rollback-command",
          ...(undoing ? { undoes: undoing } : {}),
          outcomes: result.outcomes.map((o) => ({
            device: o.device,
            result: o.result,
            ...(o.failedStep ? { failedStep: o.failedStep } : {}),
            ...(o.error ? { error: o.error } : {}),
          })),
        });
      }
      if (!opts.json) out.write("The fleet is frozen: apply refuses until reconciler unfreeze.\n");
      return code === EXIT.ok && problems.length > 0 ? EXIT.error : code;
    }
  });

  async function setFreeze(reason: string, revision: string | undefined, runId = newRunId()): Promise<void> {
    try {
      await freeze(store.dir, { runId, by: operator(), reason, ...(revision ? { revision } : {}) });
    } catch (e) {
      err.write(
        `warning: the freeze could not be written (${safeMessage((e as Error).message, "  ")}); rolling back anyway\n`,
      );
    }
  }
}

function describeChoice(c: RestoreChoice): string {
  const p = c.point as RestorePoint;
  const files = p.files.map((f) => `${safeLine(f.path)}${f.absent ? " (removed: the run created it)" : ""}`);
  return `  ${safeLine(c.device.name)}: undo run ${safeLine(p.runId)}${p.confirmedAt ? ` (confirmed ${safeLine(p.confirmedAt)})` : ""}\n${files.map((f) => `      ${f}`).join("\n")}\n`;
}
