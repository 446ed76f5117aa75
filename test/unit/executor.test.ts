// The executor with a scripted driver: the exact order of the protocol's steps, the barrier
// between staging and committing, the whole-wave rollback, health polling, the confirm budget,
// interruption, unlock in every ending, and refusing a device whose WireGuard key differs from git.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ApplyTarget, applyWave } from "../../reconciler/apply/executor.ts";
import type { ApplyDriver, Observation } from "../../reconciler/drivers/apply-contract.ts";
import { CandidateRejectedError, CommandError, ConnectionError } from "../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";
import { StateStore } from "../../reconciler/state/store.ts";
import type { DeviceSession, Transport } from "../../reconciler/transport/session.ts";
import { testDevice } from "../helpers/device.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const device = (name: string) => testDevice(name);

const target = (name: string, publicKeys: Record<string, string> = {}): ApplyTarget => ({
  device: device(name),
  intent: { wireguard: [{ name: "wg-x", peers: [] }] },
  candidate: { kind: "files", files: { "/etc/x": "x\n" } },
  live: { device: name, platform: "debian", state: {}, artifacts: {}, publicKeys: {}, fingerprint: "f" },
  probes: [{ kind: "ospf-adjacency", interface: "wg-x", routerId: "192.0.2.1" }],
  publicKeys,
});

interface Script {
  failStage?: string;
  failCommit?: { device: string; error: Error };
  failUnlock?: string;
  /** freshSession fails for this device (it cannot be reached after its commit). */
  unreachable?: string;
  /** Called when a step starts: lets a test abort the run or move the clock at that point. */
  onStep?: (entry: string) => void;
  /** Health results per device, consumed one per poll; the last one repeats. */
  health?: Record<string, boolean[]>;
  deviceKey?: string;
}

function fakes(script: Script) {
  const log: string[] = [];
  const session = (device: string, fresh = false): DeviceSession =>
    ({ device, fresh }) as unknown as DeviceSession;
  const transport: Transport = {
    session: async (d) => session(d),
    freshSession: async (d) => {
      log.push(`${d}:fresh-connection`);
      if (script.unreachable === d) throw new ConnectionError("connect ETIMEDOUT", { device: d });
      return session(d, true);
    },
    closeAll: async () => {},
  };
  const polls: Record<string, number> = {};
  const rec = (step: string) => async (_s: DeviceSession, ctx: { device: ResolvedDevice }) => {
    log.push(`${ctx.device.name}:${step}`);
    script.onStep?.(`${ctx.device.name}:${step}`);
  };
  const driver: ApplyDriver = {
    lock: rec("lock"),
    unlock: async (s, ctx) => {
      await rec("unlock")(s, ctx);
      if (script.failUnlock === ctx.device.name)
        throw new CommandError("unlock failed (status 1)", { device: ctx.device.name, command: "unlock" }, 1);
    },
    releaseLock: async () => "released",
    rearm: async (_s, ctx, _st, timeout) => {
      log.push(`${ctx.device.name}:rearm(${timeout})`);
      script.onStep?.(`${ctx.device.name}:rearm`);
    },
    abandon: rec("abandon"),
    capabilities: {
      nativeCommitConfirm: false,
      onDeviceValidation: true,
      keys: {
        ensureKeys: async (_s, ctx, ifs) => {
          log.push(`${ctx.device.name}:keys`);
          return Object.fromEntries(ifs.map((i) => [i, script.deviceKey ?? `${"K".repeat(43)}=`]));
        },
      },
    },
    stage: async (_s, ctx) => {
      log.push(`${ctx.device.name}:stage`);
      if (script.failStage === ctx.device.name) {
        throw new CandidateRejectedError("bird: syntax error, line 3", {
          device: ctx.device.name,
          command: "bird -p",
        });
      }
      return { runId: ctx.runId, where: "/var/lib/reconciler/runs/x", secrets: [] };
    },
    arm: async (_s, ctx, _st, timeout) => {
      log.push(`${ctx.device.name}:arm(${timeout})`);
      script.onStep?.(`${ctx.device.name}:arm`);
    },
    commit: async (s, ctx) => {
      await rec("commit")(s, ctx);
      if (script.failCommit?.device === ctx.device.name) throw script.failCommit.error;
    },
    health: async (s, ctx): Promise<Observation[]> => {
      const name = ctx.device.name;
      expect((s as unknown as { fresh: boolean }).fresh).toBe(true);
      const seq = script.health?.[name] ?? [true];
      const ok = seq[Math.min(polls[name] ?? 0, seq.length - 1)] ?? true;
      polls[name] = (polls[name] ?? 0) + 1;
      log.push(`${name}:health=${ok}`);
      // What the driver saw; the shared evaluator turns it into the check.
      return [
        { kind: "ospf-interface", interface: "wg-x", instances: ["mesh"] },
        {
          kind: "ospf-neighbor",
          interface: "wg-x",
          routerId: "192.0.2.1",
          state: ok ? "Full" : "Init",
          instance: "mesh",
        },
      ];
    },
    confirm: rec("confirm"),
    rollback: async (s, ctx) => {
      // A commit that lost the connection left this session dead: only a new one works.
      const dead =
        script.failCommit?.device === ctx.device.name && script.failCommit.error instanceof ConnectionError;
      if (dead && !(s as unknown as { fresh: boolean }).fresh) {
        log.push(`${ctx.device.name}:rollback-on-dead-session`);
        throw new ConnectionError("not connected", { device: ctx.device.name });
      }
      await rec("rollback")(s, ctx);
    },
  };
  const dir = mkdtempSync(join(tmpdir(), "reconciler-exec-"));
  dirs.push(dir);
  const options = {
    runId: "20261125T120000Z-000001",
    transport,
    drivers: { debian: driver },
    store: new StateStore(dir),
    env: {},
    confirmTimeoutS: 120,
    healthTimeoutS: 1,
    pollIntervalMs: 10,
  };
  return { log, options };
}

describe("applyWave", () => {
  it("runs lock, keys, stage, arm, commit, health over a fresh connection, confirm, unlock: in that order", async () => {
    const { log, options } = fakes({});
    const outcomes = await applyWave([target("a")], options);
    expect(outcomes).toEqual([
      {
        device: "a",
        result: "confirmed",
        health: {
          ok: true,
          checks: [
            {
              name: "ospf neighbour 192.0.2.1 on wg-x",
              ok: true,
              expected: "Full in mesh",
              seen: "mesh: Full",
            },
          ],
        },
      },
    ]);
    expect(log).toEqual([
      "a:lock",
      "a:keys",
      "a:stage",
      "a:arm(120)",
      "a:commit",
      "a:rearm(120)",
      "a:fresh-connection",
      "a:health=true",
      "a:confirm",
      "a:unlock",
    ]);
    const journal = await options.store.readJournal();
    expect(journal.map((j) => `${j.step}:${j.ok}`)).toEqual([
      "connect:true",
      "lock:true",
      "keys:true",
      "snapshot:true",
      "stage:true",
      "arm:true",
      "commit:true",
      "rearm:true",
      "health:true",
      "confirm:true",
      "end:true",
    ]);
    expect(journal.at(-1)?.detail).toBe("confirmed: new configuration, healthy");
  });

  it("polls the health gates until they pass", async () => {
    const { log, options } = fakes({ health: { a: [false, false, true] } });
    const [outcome] = await applyWave([target("a")], options);
    expect(outcome?.result).toBe("confirmed");
    expect(log.filter((l) => l.startsWith("a:health"))).toEqual([
      "a:health=false",
      "a:health=false",
      "a:health=true",
    ]);
  });

  it("checks again after the soak time, and fails a change that only looked healthy at first", async () => {
    const { log, options } = fakes({ health: { a: [true, false] } });
    const [outcome] = await applyWave([target("a")], { ...options, soakS: 0.05 });
    expect(outcome?.result).toBe("rolled-back");
    expect(outcome?.failedStep).toBe("health");
    expect(log.filter((l) => l.startsWith("a:health"))).toEqual(["a:health=true", "a:health=false"]);
  });

  it("rolls the whole wave back when one device's gates never pass, and says why", async () => {
    const { log, options } = fakes({ health: { b: [false] } });
    const outcomes = await applyWave([target("a"), target("b")], options);
    expect(outcomes.map((o) => [o.device, o.result, o.failedStep])).toEqual([
      ["a", "rolled-back", "wave"],
      ["b", "rolled-back", "health"],
    ]);
    expect(outcomes[1]?.error?.message).toMatch(
      /health gates failed after 1 s: ospf neighbour 192.0.2.1 on wg-x: expected Full in mesh, saw mesh: Init/,
    );
    expect(log).toContain("a:rollback");
    expect(log).toContain("b:rollback");
    expect(log).not.toContain("a:confirm");
  });

  it("stages every device before arming any: a candidate rejected on one device leaves every device untouched", async () => {
    const { log, options } = fakes({ failStage: "b" });
    const outcomes = await applyWave([target("a"), target("b")], options);
    expect(outcomes.map((o) => [o.device, o.result, o.failedStep])).toEqual([
      ["a", "not-applied", "wave"],
      ["b", "failed", "stage"],
    ]);
    expect(outcomes[0]?.error?.message).toMatch(/another device failed at stage: nothing was committed/);
    expect(outcomes[1]?.error).toMatchObject({ kind: "CandidateRejectedError", command: "bird -p" });
    // Nothing was armed or committed anywhere; a's staged candidate (it may hold secrets) removed
    // once b's rejection was known. (Devices of a phase run concurrently: order within a device.)
    expect(log.filter((l) => l.startsWith("a:"))).toEqual([
      "a:lock",
      "a:keys",
      "a:stage",
      "a:abandon",
      "a:unlock",
    ]);
    // b's stage failed: whatever it left in its run directory goes too.
    expect(log.filter((l) => l.startsWith("b:"))).toEqual([
      "b:lock",
      "b:keys",
      "b:stage",
      "b:abandon",
      "b:unlock",
    ]);
    expect(log.indexOf("a:abandon")).toBeGreaterThan(log.indexOf("b:stage"));
    const journal = await options.store.readJournal();
    expect(journal.filter((j) => j.step === "end").map((j) => [j.device, j.detail])).toEqual([
      ["a", "not-applied: byte-identical to before (never committed)"],
      ["b", "failed: byte-identical to before (never committed)"],
    ]);
  });

  it("arms every device before committing any, and re-arms them all after the last commit", async () => {
    const { log, options } = fakes({});
    await applyWave([target("a"), target("b")], options);
    const order = log.filter((l) => /:(arm|commit|rearm)/.test(l));
    expect(order).toEqual([
      "a:arm(120)",
      "b:arm(120)",
      "a:commit",
      "b:commit",
      "a:rearm(120)",
      "b:rearm(120)",
    ]);
  });

  it("commits in the wave's commit order, farthest first, a layer once the one before is done", async () => {
    const { log, options } = fakes({});
    await applyWave([target("core"), target("tower"), target("mesh")], {
      ...options,
      commitOrder: [["tower"], ["core"]],
    });
    expect(log.filter((l) => l.endsWith(":commit"))).toEqual(["tower:commit", "core:commit", "mesh:commit"]);
  });

  it("a commit that fails in one layer keeps the next layers from committing; the wave rolls back", async () => {
    const { log, options } = fakes({
      failCommit: { device: "tower", error: new CommandError("commit failed", { device: "tower" }, 1) },
    });
    const out = await applyWave([target("core"), target("tower")], {
      ...options,
      commitOrder: [["tower"], ["core"]],
    });
    expect(log.filter((l) => l.endsWith(":commit"))).toEqual(["tower:commit"]);
    // core was armed, never committed: its timer is disarmed (through rollback, files identical).
    expect(log).toContain("tower:rollback");
    expect(Object.fromEntries(out.map((o) => [o.device, o.result]))).toEqual({
      core: "not-applied",
      tower: "rolled-back",
    });
  });

  it("gives the health gates only what is left of the confirm timeout when re-arming was slow", async () => {
    let clock = 1_000_000;
    const { log, options } = fakes({
      health: { a: [false] },
      // b's re-arm takes 100 s of the 120 s a was re-armed with: 20 s are left, less than the
      // margin the confirms need, so the gates get one pass and no polling.
      onStep: (e) => {
        if (e === "b:rearm") clock += 100_000;
      },
    });
    const outcomes = await applyWave([target("a"), target("b")], {
      ...options,
      healthTimeoutS: 90,
      now: () => clock,
    });
    expect(outcomes.map((o) => o.result)).toEqual(["rolled-back", "rolled-back"]);
    expect(log.filter((l) => l.startsWith("a:health"))).toEqual(["a:health=false"]);
    expect(outcomes[0]?.error?.message).toMatch(/health gates failed after 0 s/);
  });

  it("rolls back a device whose commit cut its session, over a new connection", async () => {
    const { log, options } = fakes({
      failCommit: { device: "b", error: new ConnectionError("connection lost", { device: "b" }) },
    });
    const outcomes = await applyWave([target("a"), target("b")], options);
    expect(outcomes.map((o) => [o.device, o.result])).toEqual([
      ["a", "rolled-back"],
      ["b", "rolled-back"],
    ]);
    expect(log.filter((l) => l.startsWith("b:"))).toEqual([
      "b:lock",
      "b:keys",
      "b:stage",
      "b:arm(120)",
      "b:commit",
      "b:rollback-on-dead-session",
      "b:fresh-connection",
      "b:rollback",
      "b:unlock",
    ]);
  });

  it("says a device out of reach after its commit reverts by itself, and when", async () => {
    const clock = Date.parse("2026-11-29T12:00:00Z");
    const { options } = fakes({
      failCommit: { device: "b", error: new ConnectionError("connection lost", { device: "b" }) },
      unreachable: "b",
    });
    const outcomes = await applyWave([target("a"), target("b")], { ...options, now: () => clock });
    expect(outcomes[1]).toMatchObject({
      device: "b",
      result: "reverting",
      revertsAt: "2026-11-29T12:02:00.000Z",
    });
    expect(outcomes[1]?.error?.message).toMatch(
      /restores its previous configuration by itself at 2026-11-29T12:02:00/,
    );
    expect(outcomes[0]?.result).toBe("rolled-back");
    const journal = await options.store.readJournal();
    expect(journal.find((j) => j.device === "b" && j.step === "end")?.detail).toMatch(
      /^reverting: reverting by itself at/,
    );
  });

  it("an interruption before the commits leaves every device untouched and unlocked", async () => {
    const abort = new AbortController();
    const { log, options } = fakes({ onStep: (e) => e === "b:stage" || abort.abort() });
    const outcomes = await applyWave([target("a"), target("b")], { ...options, signal: abort.signal });
    expect(outcomes.map((o) => o.result)).toEqual(["not-applied", "not-applied"]);
    expect(log.some((l) => /:(arm|commit)/.test(l))).toBe(false);
    expect(log.filter((l) => l.endsWith(":unlock"))).toEqual(["a:unlock", "b:unlock"]);
  });

  it("an interruption after the commits rolls the wave back instead of leaving it half-done", async () => {
    const abort = new AbortController();
    const { log, options } = fakes({ onStep: (e) => e === "b:rearm" && abort.abort() });
    const outcomes = await applyWave([target("a"), target("b")], { ...options, signal: abort.signal });
    expect(outcomes.map((o) => o.result)).toEqual(["rolled-back", "rolled-back"]);
    expect(log).not.toContain("a:confirm");
    expect(log.filter((l) => /:(rollback|unlock)$/.test(l))).toEqual([
      "a:rollback",
      "b:rollback",
      "a:unlock",
      "b:unlock",
    ]);
  });

  it("unlocks when the state store cannot be written (disk full), and reports an unlock that fails", async () => {
    const { log, options } = fakes({ failUnlock: "a" });
    options.store.saveSnapshot = async () => {
      throw new Error("ENOSPC: no space left on device");
    };
    const [outcome] = await applyWave([target("a")], options);
    expect(outcome).toMatchObject({ result: "failed", failedStep: "snapshot" });
    expect(log).toEqual(["a:lock", "a:keys", "a:unlock"]);
    expect(outcome?.warnings?.[0]).toMatch(
      /lock could not be released .*reconciler unlock a --run 20261125T120000Z-000001/,
    );
  });

  it("unlocks and cleans up over a new connection when the run's connection was lost while staging", async () => {
    const { log, options } = fakes({});
    const driver = options.drivers.debian as ApplyDriver;
    const dead = new Set<string>(["b"]);
    const overFresh =
      <A extends unknown[]>(name: string, fn: (s: DeviceSession, ...a: A) => Promise<unknown>) =>
      async (s: DeviceSession, ...a: A) => {
        const dev = (s as unknown as { device: string }).device;
        if (dead.has(dev) && !(s as unknown as { fresh: boolean }).fresh) {
          log.push(`${dev}:${name}-on-dead-session`);
          throw new ConnectionError("not connected", { device: dev });
        }
        return fn(s, ...a);
      };
    const stage = driver.stage;
    driver.stage = overFresh("stage", stage) as typeof driver.stage;
    driver.abandon = overFresh("abandon", driver.abandon) as typeof driver.abandon;
    driver.unlock = overFresh("unlock", driver.unlock) as typeof driver.unlock;
    const outcomes = await applyWave([target("a"), target("b")], options);
    expect(outcomes.map((o) => [o.device, o.result, o.failedStep])).toEqual([
      ["a", "not-applied", "wave"],
      ["b", "failed", "stage"],
    ]);
    expect(log.filter((l) => l.startsWith("b:"))).toEqual([
      "b:lock",
      "b:keys",
      "b:stage-on-dead-session",
      "b:abandon-on-dead-session",
      "b:fresh-connection",
      "b:abandon",
      "b:unlock",
    ]);
  });

  it("works on at most --parallel devices at once", async () => {
    let inFlight = 0;
    let most = 0;
    const { options } = fakes({});
    const driver = options.drivers.debian as ApplyDriver;
    const stage = driver.stage;
    driver.stage = async (...args) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return stage(...args);
    };
    const outcomes = await applyWave(
      ["a", "b", "c", "d", "e"].map((n) => target(n)),
      { ...options, parallel: 2 },
    );
    expect(outcomes.every((o) => o.result === "confirmed")).toBe(true);
    expect(most).toBe(2);
  });

  it("stops before staging when the device's WireGuard key is not the one git holds", async () => {
    const { log, options } = fakes({ deviceKey: `${"B".repeat(43)}=` });
    const [outcome] = await applyWave([target("a", { "wg-x": `${"A".repeat(43)}=` })], options);
    expect(outcome?.result).toBe("failed");
    expect(outcome?.failedStep).toBe("keys");
    expect(outcome?.error?.message).toMatch(/run `reconciler keys`/);
    expect(log).toEqual(["a:lock", "a:keys", "a:unlock"]);
  });
});
