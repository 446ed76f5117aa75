// The rollout engine with a scripted driver: waves in order, a failing canary halting with nothing
// else touched, max_fail_percentage, whole-wave rollback and untouched later waves, the soak between
// waves, an abort, and the lockout hook refusing before anything is touched.
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Plan } from "../../../reconciler/model/plan.ts";
import { runRollout } from "../../../reconciler/rollout/engine.ts";
import { fakes, repoOf, type Script, target, touched } from "./fakes.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const plan: Plan = { version: 1, createdAt: "2026-11-29T12:00:00Z", origin: "test", devices: [] };

function setup(spec: Record<string, string>, script: Script = {}, links: [string, string][] = []) {
  const repo = repoOf(spec, links);
  const targets = Object.values(repo.devices).map(target);
  const { log, options } = fakes(script, dirs);
  return { repo, targets, log, options, input: { repo, plan, targets } };
}

describe("runRollout", () => {
  it("runs the waves in order, each committed and confirmed before the next starts, with the soak between", async () => {
    const { input, log, options } = setup({ a: "", b: "a", c: "" });
    const slept: number[] = [];
    const r = await runRollout(input, {
      ...options,
      policy: { canary: ["c"], soakS: 7 },
      sleep: async (ms) => {
        slept.push(ms);
        log.push("soak");
      },
    });
    expect(r.waves.map((w) => w.devices)).toEqual([["c"], ["b"], ["a"]]);
    expect(r.outcomes.map((o) => `${o.device}:${o.result}`)).toEqual([
      "c:confirmed",
      "b:confirmed",
      "a:confirmed",
    ]);
    expect(r.halted).toBeUndefined();
    expect(r.notReached).toEqual([]);
    expect(slept).toEqual([7000, 7000]);
    expect(log.filter((l) => l.endsWith(":confirm") || l === "soak")).toEqual([
      "c:confirm",
      "soak",
      "b:confirm",
      "soak",
      "a:confirm",
    ]);
  });

  it("halts on a failing canary with nothing else touched", async () => {
    const { input, log, options } = setup({ a: "", b: "", c: "", d: "" }, { failStage: ["b"] });
    const r = await runRollout(input, { ...options, policy: { canary: ["b"], batch: 2 } });
    expect(r.waves.map((w) => w.devices)).toEqual([["b"], ["a", "c"], ["d"]]);
    expect(r.outcomes).toEqual([
      expect.objectContaining({ device: "b", result: "failed", failedStep: "stage" }),
    ]);
    expect(r.halted).toEqual({ wave: 0, reason: "failed", failed: ["b"] });
    expect(r.notReached).toEqual(["a", "c", "d"]);
    expect(touched(log)).toEqual(["b"]);
  });

  it("rolls a wave back whole when a device fails its health gates, and leaves the later waves untouched", async () => {
    const { input, log, options } = setup({ a: "", b: "", c: "", d: "" }, { failHealth: ["b"] });
    const r = await runRollout(input, { ...options, policy: { batch: 2 } });
    expect(r.outcomes.map((o) => `${o.device}:${o.result}`)).toEqual(["a:rolled-back", "b:rolled-back"]);
    expect(r.outcomes[0]?.error?.kind).toBe("WaveFailed");
    expect(r.outcomes[1]?.failedStep).toBe("health");
    expect(log).toContain("a:rollback");
    expect(log).toContain("b:rollback");
    expect(log).not.toContain("a:confirm");
    expect(r.halted).toEqual({ wave: 0, reason: "failed", failed: ["b"] });
    expect(r.notReached).toEqual(["c", "d"]);
    expect(touched(log)).toEqual(["a", "b"]);
  });

  it("honours max_fail_percentage: a tolerated failure costs only the failed device and its link partner", async () => {
    const spec = { a: "", b: "", c: "", d: "", e: "" };
    // 1 of 4 is 25%: tolerated at 25, not at 24.
    const tolerant = setup(spec, { failStage: ["b"] }, [["b", "c"]]);
    const r = await runRollout(tolerant.input, {
      ...tolerant.options,
      policy: { batch: 4, maxFailPercentage: 25 },
    });
    expect(r.waves.map((w) => w.devices)).toEqual([["a", "b", "c", "d"], ["e"]]);
    expect(r.outcomes.map((o) => `${o.device}:${o.result}`)).toEqual([
      "a:confirmed",
      "b:failed",
      "c:not-applied",
      "d:confirmed",
      "e:confirmed",
    ]);
    expect(r.halted).toBeUndefined();
    // Tried again under a run id of its own; c, b's link partner, was not.
    expect(tolerant.log.filter((l) => l === "c:stage")).toHaveLength(1);
    expect(tolerant.log.filter((l) => l === "a:stage")).toHaveLength(2);

    const strict = setup(spec, { failStage: ["b"] }, [["b", "c"]]);
    const s = await runRollout(strict.input, {
      ...strict.options,
      policy: { batch: 4, maxFailPercentage: 24 },
    });
    expect(s.halted).toEqual({ wave: 0, reason: "failed", failed: ["b"] });
    expect(s.outcomes.map((o) => o.result)).toEqual(["not-applied", "failed", "not-applied", "not-applied"]);
    expect(s.notReached).toEqual(["e"]);
    expect(touched(strict.log)).toEqual(["a", "b", "c", "d"]);
  });

  it("stops after the wave in flight when aborted, and reaches nothing more", async () => {
    const { input, log, options } = setup({ a: "", b: "" });
    const abort = new AbortController();
    const r = await runRollout(input, {
      ...options,
      signal: abort.signal,
      policy: { batch: 1 },
      onWave: (i) => {
        if (i === 0) setTimeout(() => abort.abort(), 0);
      },
    });
    expect(r.halted?.reason).toBe("interrupted");
    expect(r.notReached).toEqual(["b"]);
    expect(touched(log)).toEqual(["a"]);
  });

  it("is refused by the lockout analysis before any device is touched", async () => {
    const { input, log, options } = setup({ a: "", b: "a" });
    let seen: string[][] = [];
    const r = await runRollout(input, {
      ...options,
      policy: {},
      lockout: ({ waves }) => {
        seen = waves;
        return [{ device: "b", path: "a", change: "interfaces[eth0]", message: "cuts the path to b" }];
      },
    });
    expect(seen).toEqual([["b"], ["a"]]);
    expect(r.refused).toHaveLength(1);
    expect(r.outcomes).toEqual([]);
    expect(r.notReached).toEqual(["b", "a"]);
    expect(log).toEqual([]);
  });
});
