// The waves of a sharded rollout (docs/sharding.md, "Apply stays global"): computed once over the
// whole plan, exactly as the rollout engine orders them, then cut per shard. Every shard computes
// the same global waves from the same merged plan and keeps only its own devices of each, so the
// coordinator can drive wave W on all shards at once and halt them all together. The building
// block of `apply --shard K/N --wave W`, which is not built yet. Pure.
import type { Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { type ShardSpec, shardDevices } from "../model/shard.ts";
import type { RolloutPolicy } from "./engine.ts";
import { outOfBandChanges } from "./out-of-band.ts";
import { orderWaves, type Wave } from "./waves.ts";

/** The engine's waves for this plan and policy (rollout/engine.ts computes the same). */
export function globalWaves(repo: DesiredRepo, plan: Plan, policy: RolloutPolicy): Wave[] {
  const links = repo.links.flatMap((l) =>
    l.ends[0] && l.ends[1] ? [[l.ends[0].device, l.ends[1].device] as const] : [],
  );
  return orderWaves({
    changed: plan.devices.filter((d) => d.status === "changes").map((d) => d.device),
    devices: repo.devices,
    links,
    outOfBand: outOfBandChanges(plan, repo),
    ...(policy.canary ? { canary: policy.canary } : {}),
    ...(policy.batch !== undefined ? { batch: policy.batch } : {}),
  });
}

export interface ShardWave {
  /** 1-based, as the operator counts waves. */
  wave: number;
  of: number;
  /** This shard's devices of the wave, in the wave's order; empty when the wave is elsewhere. */
  devices: string[];
  /** The wave's commit order restricted to this shard (a layer left empty is dropped). */
  commitOrder?: string[][];
  canary: boolean;
}

/** Shard K's part of every global wave, in order. */
export function shardWaves(
  repo: DesiredRepo,
  plan: Plan,
  policy: RolloutPolicy,
  spec: ShardSpec,
): ShardWave[] {
  const mine = new Set(shardDevices(Object.values(repo.devices), repo.links, spec).map((d) => d.name));
  const waves = globalWaves(repo, plan, policy);
  return waves.map((w, i) => {
    const order = w.commitOrder?.map((layer) => layer.filter((d) => mine.has(d))).filter((l) => l.length > 0);
    return {
      wave: i + 1,
      of: waves.length,
      devices: w.devices.filter((d) => mine.has(d)),
      ...(order && order.length > 0 ? { commitOrder: order } : {}),
      canary: w.canary,
    };
  });
}
