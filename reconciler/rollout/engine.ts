// The rollout engine every entry point shares (the CLI now; the GitOps loop and CI later): given
// the plan, what the executor needs per device and a policy, it orders the devices into waves
// (waves.ts) and runs each wave through the executor (apply/executor.ts), which commits or rolls
// back a wave whole. A wave fails when more than `maxFailPercentage` of its devices failed by
// themselves; a failed or interrupted wave halts the rollout and the later waves are never
// touched. Before any wave, the lockout analysis (lockout.ts) refuses an order that would cut the
// path to a device. Callers hold the repository's run lock (state/run-lock.ts) around it.
//
// Because the executor rolls a wave back whole, a failure the policy tolerates still undid the
// wave's other devices: those (and only those the failure did not touch, minus the failed devices'
// link partners) are applied again once, under a run id of their own, so that a tolerated failure
// costs only the failed devices.
import { type ApplyOptions, type ApplyTarget, applyWave } from "../apply/executor.ts";
import type { DeviceOutcome } from "../model/outcome.ts";
import type { Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { type LockoutFinding, lockoutFindings } from "./lockout.ts";
import { outOfBandChanges } from "./out-of-band.ts";
import { type Batch, orderWaves, type Wave } from "./waves.ts";

export interface RolloutPolicy {
  /** Device names (globs) or label selectors changed first. */
  canary?: readonly string[];
  /** At most this many devices per wave: a count, or a percentage of the devices to change. */
  batch?: Batch;
  /** 0..100 (default 0: any failed device fails the wave). */
  maxFailPercentage?: number;
  /** Seconds to wait between waves. */
  soakS?: number;
}

export interface RolloutInput {
  repo: DesiredRepo;
  plan: Plan;
  /** One per device with changes. */
  targets: readonly ApplyTarget[];
}

export type { LockoutFinding };
export type LockoutCheck = (input: {
  repo: DesiredRepo;
  plan: Plan;
  waves: string[][];
  sources?: string[];
}) => LockoutFinding[];

export interface RolloutOptions extends ApplyOptions {
  policy: RolloutPolicy;
  /**
   * Refuses the rollout, before anything is touched, when it reports a finding: a change that
   * would cut the path to a device (default: rollout/lockout.ts).
   */
  lockout?: LockoutCheck;
  /** The operator's override: no lockout analysis. */
  allowLockout?: boolean;
  /** Waits between waves; ends early on abort. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onWave?: (index: number, wave: Wave, of: number) => void;
  onSoak?: (seconds: number) => void;
}

export interface RolloutResult {
  waves: Wave[];
  /** Every device reached, in wave order. */
  outcomes: DeviceOutcome[];
  /** Devices of the waves after a halt: never contacted. */
  notReached: string[];
  halted?: { wave: number; reason: "failed" | "interrupted"; failed: string[] };
  /** The lockout analysis refused the rollout: nothing was touched. */
  refused?: LockoutFinding[];
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Undone because another device failed or the run was interrupted: not a failure of its own. */
const collateral = (o: DeviceOutcome) =>
  o.result !== "confirmed" && (o.error?.kind === "WaveFailed" || o.error?.kind === "Interrupted");
const ownFailure = (o: DeviceOutcome) => o.result !== "confirmed" && !collateral(o);

export async function runRollout(input: RolloutInput, opts: RolloutOptions): Promise<RolloutResult> {
  const { repo, plan, targets } = input;
  const pairs = repo.links.flatMap((l) =>
    l.ends[0] && l.ends[1] ? [[l.ends[0].device, l.ends[1].device] as const] : [],
  );
  const waves = orderWaves({
    changed: targets.map((t) => t.device.name),
    devices: repo.devices,
    links: pairs,
    outOfBand: outOfBandChanges(plan, repo),
    ...(opts.policy.canary ? { canary: opts.policy.canary } : {}),
    ...(opts.policy.batch !== undefined ? { batch: opts.policy.batch } : {}),
  });
  const all = waves.flatMap((w) => w.devices);
  const lockout = opts.allowLockout ? undefined : (opts.lockout ?? lockoutFindings);
  // The reconciler's own sources (inventory `reconciler.sources`) judge the firewall rules of the first hop.
  const sources = repo.sources ? { sources: repo.sources } : {};
  const findings = lockout?.({ repo, plan, waves: waves.map((w) => w.devices), ...sources }) ?? [];
  if (findings.length > 0) return { waves, outcomes: [], notReached: all, refused: findings };

  const maxFail = opts.policy.maxFailPercentage ?? 0;
  const sleep = opts.sleep ?? abortableSleep;
  const byName = new Map(targets.map((t) => [t.device.name, t]));
  const partners = (name: string) => pairs.filter((p) => p.includes(name)).flat();
  const outcomes: DeviceOutcome[] = [];
  for (const [index, wave] of waves.entries()) {
    if (opts.signal?.aborted) return halt(index, "interrupted", []);
    opts.onWave?.(index, wave, waves.length);
    const result = new Map<string, DeviceOutcome>();
    const failed: string[] = [];
    const budget = Math.floor((wave.devices.length * maxFail) / 100);
    let pending = wave.devices.map((d) => byName.get(d) as ApplyTarget);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const runId = attempt === 1 ? opts.runId : `${opts.runId}.${attempt}`;
      const outs = await applyWave(pending, {
        ...opts,
        runId,
        ...(wave.commitOrder ? { commitOrder: wave.commitOrder } : {}),
      });
      for (const o of outs) result.set(o.device, o);
      const own = outs.filter(ownFailure).map((o) => o.device);
      failed.push(...own);
      if (own.length === 0 || failed.length > budget || opts.signal?.aborted) break;
      // Tolerated: again without the failed devices and their link partners.
      const drop = new Set(own.flatMap((d) => [d, ...partners(d)]));
      pending = outs
        .filter((o) => collateral(o) && !drop.has(o.device))
        .map((o) => byName.get(o.device) as ApplyTarget);
    }
    outcomes.push(...wave.devices.map((d) => result.get(d) as DeviceOutcome));
    if (opts.signal?.aborted) return halt(index + 1, "interrupted", failed, index);
    if (failed.length > budget) return halt(index + 1, "failed", failed, index);
    const soak = opts.policy.soakS ?? 0;
    if (index < waves.length - 1 && soak > 0) {
      opts.onSoak?.(soak);
      await sleep(soak * 1000, opts.signal);
    }
  }
  return { waves, outcomes, notReached: [] };

  /** Stops before wave `next`; `at` is the wave that halted (the one before, or `next` itself). */
  function halt(next: number, reason: "failed" | "interrupted", failed: string[], at = next): RolloutResult {
    return {
      waves,
      outcomes,
      notReached: waves.slice(next).flatMap((w) => w.devices),
      halted: { wave: at, reason, failed },
    };
  }
}
