// The watch loop with fake git, rollouts and clock: a new revision is fetched and rolled out once;
// a refusal (frozen) is logged once and retried every interval until it goes through; a failed
// device backs off for 1, 2, 4 intervals and is tried again; drift between commits is logged and
// repaired only with --repair; commit statuses follow; a stop ends the loop.
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../../reconciler/state/runs.ts";
import { Backoff } from "../../../reconciler/watch/backoff.ts";
import { formatEvent } from "../../../reconciler/watch/log.ts";
import { type RolloutAttempt, type WatchDeps, watchLoop } from "../../../reconciler/watch/loop.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const INTERVAL = 60_000;

const record = (devices: [string, string][]): RunRecord => ({
  version: 1,
  runId: "R",
  command: "apply",
  startedAt: "t",
  endedAt: "t",
  origin: "o",
  by: "b",
  result: devices.every(([, r]) => r === "confirmed") ? "confirmed" : "failed",
  waves: [],
  devices: devices.map(([device, result]) => ({ device, result, changes: 1 })),
});

function fake(script: {
  heads: string[];
  rollouts?: RolloutAttempt[];
  drift?: { drifted: string[]; unreachable: string[] }[];
}) {
  let t = 0;
  let loop = 0;
  const calls: string[] = [];
  const events: Record<string, unknown>[] = [];
  const statuses: string[] = [];
  const deps: WatchDeps = {
    head: async () => script.heads[Math.min(loop, script.heads.length - 1)] as string,
    fetch: async () => script.heads[Math.min(loop, script.heads.length - 1)] as string,
    rollout: async (rev, exclude) => {
      calls.push(`rollout ${rev[0]} -${exclude.join(",")}`);
      return script.rollouts?.shift() ?? { code: 0, record: record([]) };
    },
    drift: async (rev, exclude) => {
      calls.push(`drift ${rev[0]} -${exclude.join(",")}`);
      return script.drift?.shift() ?? { drifted: [], unreachable: [] };
    },
    status: async (rev, state, text) => void statuses.push(`${rev[0]} ${state}: ${text}`),
    log: (e) => void events.push(e),
    sleep: async (ms) => {
      t += ms;
      loop++;
    },
    now: () => t,
    random: () => 0.5,
  };
  return { deps, calls, events, statuses };
}

describe("watchLoop", () => {
  it("rolls out a new revision once, then only plans it again (drift) until the next one", async () => {
    const f = fake({ heads: [A, A, B] });
    await watchLoop({ intervalMs: INTERVAL, maxLoops: 3, stopped: () => false }, f.deps);
    expect(f.calls).toEqual(["rollout a -", "drift a -", "rollout b -"]);
    expect(f.events.map((e) => e.event)).toEqual([
      "new-revision",
      "rollout-start",
      "rollout-done",
      "new-revision",
      "rollout-start",
      "rollout-done",
      "stopped",
    ]);
    expect(f.statuses).toEqual([
      "a pending: rolling out",
      "a success: rolled out",
      "b pending: rolling out",
      "b success: rolled out",
    ]);
  });

  it("a refusal (the fleet is frozen) is logged once and the same revision is tried again each interval", async () => {
    const frozen = { code: 1, refused: "the fleet is frozen since t" };
    const f = fake({
      heads: [A],
      rollouts: [frozen, frozen, { code: 0, record: record([["r1", "confirmed"]]) }],
    });
    await watchLoop({ intervalMs: INTERVAL, maxLoops: 4, stopped: () => false }, f.deps);
    expect(f.calls).toEqual(["rollout a -", "rollout a -", "rollout a -", "drift a -"]);
    expect(f.events.filter((e) => e.event === "rollout-refused")).toHaveLength(1);
    expect(f.statuses).toContain("a error: not rolled out: the fleet is frozen since t");
  });

  it("a failed device backs off 1, then 2 intervals, left out meanwhile, and is tried again", async () => {
    const failed = {
      code: 1,
      record: record([
        ["r1", "confirmed"],
        ["r2", "rolled-back"],
      ]),
    };
    const f = fake({
      heads: [A],
      rollouts: [failed, failed, { code: 0, record: record([["r2", "confirmed"]]) }],
    });
    await watchLoop({ intervalMs: INTERVAL, jitter: 0, maxLoops: 6, stopped: () => false }, f.deps);
    expect(f.calls).toEqual([
      "rollout a -", // r2 fails: waits 1 interval
      "rollout a -", // its wait is over: tried again, fails: waits 2 intervals
      "drift a -r2",
      "rollout a -", // confirmed
      "drift a -",
      "drift a -",
    ]);
    expect(f.events.filter((e) => e.event === "device-backoff").map((e) => e.failures)).toEqual([1, 2]);
  });

  it("drift between commits is logged, and repaired only with --repair", async () => {
    const drift = { drifted: ["r1"], unreachable: ["r3"] };
    const plain = fake({ heads: [A], drift: [drift] });
    await watchLoop({ intervalMs: INTERVAL, maxLoops: 2, stopped: () => false }, plain.deps);
    expect(plain.calls).toEqual(["rollout a -", "drift a -"]);
    expect(plain.events.find((e) => e.event === "drift")).toMatchObject({
      drifted: ["r1"],
      unreachable: ["r3"],
    });
    const repair = fake({ heads: [A], drift: [drift] });
    await watchLoop({ intervalMs: INTERVAL, maxLoops: 2, repair: true, stopped: () => false }, repair.deps);
    expect(repair.calls).toEqual(["rollout a -", "drift a -", "rollout a -"]);
  });

  it("errors are logged and the loop goes on; a stop ends it after the current step", async () => {
    const f = fake({ heads: [A] });
    let n = 0;
    f.deps.head = async () => {
      n++;
      if (n === 1) throw new Error("ls-remote: could not read from remote");
      return A;
    };
    let stop = false;
    const rollout = f.deps.rollout;
    f.deps.rollout = async (r, e) => {
      stop = true;
      return rollout(r, e);
    };
    await watchLoop({ intervalMs: INTERVAL, maxLoops: 10, stopped: () => stop }, f.deps);
    expect(f.events.map((e) => e.event)).toEqual([
      "error",
      "new-revision",
      "rollout-start",
      "rollout-done",
      "stopped",
    ]);
  });
});

describe("Backoff and the log line", () => {
  it("doubles up to the cap and forgets on success", () => {
    const b = new Backoff(10, 4);
    expect([1, 2, 3, 4, 5].map(() => b.failed("d", 0).until)).toEqual([10, 20, 40, 40, 40]);
    b.succeeded("d");
    expect(b.waiting(0).size).toBe(0);
  });

  it("is one line: text with quoted values, or JSON", () => {
    const now = new Date("2026-11-29T03:17:00Z");
    expect(formatEvent({ event: "drift", drifted: ["r1", "r2"], why: "a b\nc" }, "text", now)).toBe(
      '2026-11-29T03:17:00.000Z drift drifted=r1,r2 why="a b\\\\nc"\n',
    );
    expect(JSON.parse(formatEvent({ event: "drift", n: 1 }, "json", now))).toEqual({
      time: "2026-11-29T03:17:00.000Z",
      event: "drift",
      n: 1,
    });
  });
});
