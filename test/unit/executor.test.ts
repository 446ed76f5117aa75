// The executor with a scripted driver: the exact order of the protocol's steps, the whole-wave
// rollback, health polling, and refusing a device whose WireGuard key differs from git.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ApplyTarget, applyWave } from "../../reconciler/apply/executor.ts";
import type { ApplyDriver, HealthReport } from "../../reconciler/drivers/apply-contract.ts";
import { CandidateRejectedError } from "../../reconciler/model/errors.ts";
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
  rendered: { files: { "/etc/x": "x\n" } },
  live: { device: name, platform: "debian", state: {}, artifacts: {}, publicKeys: {}, fingerprint: "f" },
  expect: { ospfNeighbors: [], wireguardPeers: [], routes: [] },
  publicKeys,
});

interface Script {
  failStage?: string;
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
      return session(d, true);
    },
    closeAll: async () => {},
  };
  const polls: Record<string, number> = {};
  const rec = (step: string) => async (_s: DeviceSession, ctx: { device: ResolvedDevice }) => {
    log.push(`${ctx.device.name}:${step}`);
  };
  const driver: ApplyDriver = {
    lock: rec("lock"),
    unlock: rec("unlock"),
    ensureKeys: async (_s, ctx, ifs) => {
      log.push(`${ctx.device.name}:keys`);
      return Object.fromEntries(ifs.map((i) => [i, script.deviceKey ?? `${"K".repeat(43)}=`]));
    },
    stage: async (_s, ctx) => {
      log.push(`${ctx.device.name}:stage`);
      if (script.failStage === ctx.device.name) {
        throw new CandidateRejectedError("bird: syntax error, line 3", {
          device: ctx.device.name,
          command: "bird -p",
        });
      }
      return { runId: ctx.runId, dir: "/var/lib/reconciler/runs/x", files: {} };
    },
    arm: async (_s, ctx, _st, timeout) => {
      log.push(`${ctx.device.name}:arm(${timeout})`);
    },
    commit: rec("commit"),
    health: async (s, ctx): Promise<HealthReport> => {
      const name = ctx.device.name;
      expect((s as unknown as { fresh: boolean }).fresh).toBe(true);
      const seq = script.health?.[name] ?? [true];
      const ok = seq[Math.min(polls[name] ?? 0, seq.length - 1)] ?? true;
      polls[name] = (polls[name] ?? 0) + 1;
      log.push(`${name}:health=${ok}`);
      return { ok, checks: [{ name: "ospf wg-x", ok, expected: "Full", seen: ok ? "Full" : "Init" }] };
    },
    confirm: rec("confirm"),
    rollback: rec("rollback"),
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
        health: { ok: true, checks: [{ name: "ospf wg-x", ok: true, expected: "Full", seen: "Full" }] },
      },
    ]);
    expect(log).toEqual([
      "a:lock",
      "a:keys",
      "a:stage",
      "a:arm(120)",
      "a:commit",
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
      "stage:true",
      "arm:true",
      "commit:true",
      "health:true",
      "confirm:true",
    ]);
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
      /health gates failed after 1 s: ospf wg-x: expected Full, saw Init/,
    );
    expect(log).toContain("a:rollback");
    expect(log).toContain("b:rollback");
    expect(log).not.toContain("a:confirm");
  });

  it("never commits anything when a candidate is rejected, and rolls back the devices that did commit", async () => {
    const { log, options } = fakes({ failStage: "b" });
    const outcomes = await applyWave([target("a"), target("b")], options);
    expect(outcomes.map((o) => [o.device, o.result, o.failedStep])).toEqual([
      ["a", "rolled-back", "wave"],
      ["b", "failed", "stage"],
    ]);
    expect(outcomes[1]?.error).toMatchObject({ kind: "CandidateRejectedError", command: "bird -p" });
    expect(log).not.toContain("b:commit");
    expect(log).not.toContain("b:rollback");
    expect(log.filter((l) => l.endsWith(":health=true"))).toEqual([]);
    expect(log).toContain("b:unlock");
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
