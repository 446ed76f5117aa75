// The waves of a sharded rollout: computed once over the whole plan, the very waves the rollout
// engine orders, and cut per shard so that each wave's parts, over all shards, are the wave.
import { describe, expect, it } from "vitest";
import type { ApplyTarget } from "../../reconciler/apply/executor.ts";
import type { DevicePlan, Plan } from "../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import { type RolloutPolicy, runRollout } from "../../reconciler/rollout/engine.ts";
import { globalWaves, shardWaves } from "../../reconciler/rollout/shard-waves.ts";
import { loadExample } from "../helpers/example-repo.ts";

async function example(): Promise<DesiredRepo> {
  const { repo } = await loadExample();
  if (!repo) throw new Error("the example does not load");
  return repo;
}

/** A plan changing every device's OSPF cost (no management VPN touched): every device in a wave. */
function planChanging(repo: DesiredRepo, names: readonly string[]): Plan {
  const devices: DevicePlan[] = Object.values(repo.devices).map((d) => ({
    device: d.name,
    platform: d.platform,
    status: names.includes(d.name) ? "changes" : "unchanged",
    changes: names.includes(d.name)
      ? [{ device: d.name, path: "ospf.interfaces[lo].cost", action: "update", before: 10, after: 20 }]
      : [],
    files: [],
    unmanaged: [],
  }));
  return { version: 1, createdAt: "2026-11-30T05:00:00.000Z", origin: "memory", devices };
}

/** The engine's waves, taken where it stops before touching anything (a refusing lockout check). */
async function engineWaves(repo: DesiredRepo, plan: Plan, policy: RolloutPolicy) {
  const targets = plan.devices
    .filter((d) => d.status === "changes")
    .map((d) => ({ device: repo.devices[d.device] }) as ApplyTarget);
  const r = await runRollout({ repo, plan, targets }, {
    policy,
    lockout: () => [{ device: "x", path: "x", change: "x", message: "stop here" }],
  } as unknown as Parameters<typeof runRollout>[1]);
  expect(r.refused).toHaveLength(1);
  expect(r.outcomes).toEqual([]);
  return r.waves;
}

describe("globalWaves", () => {
  it("are the waves the rollout engine orders, for several policies", async () => {
    const repo = await example();
    const plan = planChanging(repo, Object.keys(repo.devices));
    const counts: number[] = [];
    for (const policy of [{}, { batch: 2 }, { canary: ["router-a"], batch: "50%" }] as RolloutPolicy[]) {
      const waves = globalWaves(repo, plan, policy);
      expect(waves).toEqual(await engineWaves(repo, plan, policy));
      counts.push(waves.length);
    }
    // One wave (core-1 and tower-1 joined by their link, committed farthest first), then batches.
    expect(counts[0]).toBe(1);
    expect(counts[1]).toBeGreaterThan(1);
    expect(counts[2]).toBeGreaterThan(1);
  });
});

describe("shardWaves", () => {
  it("every shard sees the same waves, and each wave's parts over the shards are the wave", async () => {
    const repo = await example();
    const plan = planChanging(repo, Object.keys(repo.devices));
    const policy: RolloutPolicy = { batch: 3 };
    const waves = globalWaves(repo, plan, policy);
    for (const count of [1, 2, 3, 5]) {
      const parts = Array.from({ length: count }, (_, i) =>
        shardWaves(repo, plan, policy, { index: i + 1, count }),
      );
      for (const p of parts)
        expect(p.map((w) => [w.wave, w.of, w.canary])).toEqual(
          waves.map((w, i) => [i + 1, waves.length, w.canary]),
        );
      for (const [i, w] of waves.entries()) {
        const pieces = parts.map((p) => p[i]?.devices ?? []);
        expect(pieces.flat().sort()).toEqual([...w.devices].sort());
      }
    }
  });

  it("keeps a changed link's two ends in one shard's part of one wave", async () => {
    const repo = await example();
    const plan = planChanging(repo, ["router-a", "router-b", "core-1", "fw-1"]);
    const parts = [1, 2].map((index) => shardWaves(repo, plan, {}, { index, count: 2 }));
    const where = (d: string) =>
      parts.flatMap((p, s) => p.flatMap((w) => (w.devices.includes(d) ? [`${s}:${w.wave}`] : [])));
    expect(where("router-a")).toHaveLength(1);
    expect(where("router-a")).toEqual(where("router-b"));
    expect(where("core-1")).toEqual(where("fw-1"));
    expect(where("router-a")).not.toEqual(where("core-1")); // two shards: pop-1's and the routers'
  });

  it("restricts the commit order to the shard's devices", async () => {
    const repo = await example();
    // A new link between tower-1 and its jump host core-1 puts both in one wave, farthest first.
    const plan = planChanging(repo, ["core-1", "tower-1"]);
    const waves = globalWaves(repo, plan, {});
    const joint = waves.find((w) => w.commitOrder !== undefined);
    expect(joint?.commitOrder).toEqual([["tower-1"], ["core-1"]]);
    const [one, two] = [1, 2].map((index) => shardWaves(repo, plan, {}, { index, count: 2 }));
    expect(one?.find((w) => w.devices.length > 0)?.commitOrder).toEqual([["tower-1"], ["core-1"]]);
    expect(two?.every((w) => w.devices.length === 0 && w.commitOrder === undefined)).toBe(true);
  });
});
