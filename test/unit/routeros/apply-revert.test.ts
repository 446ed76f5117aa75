// The RouterOS revert on the simulator, its scheduler on an injectable clock: a commit left
// unconfirmed when the reconciler disconnects is undone by the device itself once the timeout
// passes (not before), and the run's later confirm says it came too late; rearm moves the revert;
// a confirmed run stays; a commit the device refuses half way is rolled back exactly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyWave } from "../../../reconciler/apply/executor.ts";
import type { ApplyContext, Staged } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import { CommitFailedError } from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { StateStore } from "../../../reconciler/state/store.ts";
import type { DeviceSession } from "../../../reconciler/transport/session.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";
import { SimRouter } from "../../sim/routeros/router.ts";
import type { RouterOsSsh } from "../../sim/routeros/ssh-server.ts";

let tower: SimTower;
let now = Date.parse("2026-11-29T12:00:00Z");
const clock = () => new Date(now);
let sim: RouterOsSsh;
let device: ResolvedDevice;

beforeAll(async () => {
  const router = new SimRouter({ identity: "tower-1", clock }); // no real timer: the test ticks
  tower = await startSimTower({ router });
  ({ sim, device } = tower);
});

afterAll(async () => {
  await tower?.close();
});

const transport = () => tower.transport();

/** Moves the device's clock on and lets its scheduler run what is due. */
const advance = (s: number) => {
  now += s * 1000;
  return sim.router.scheduler.tick();
};
const exported = () => sim.router.run("/export").output.replace(/^# .* by RouterOS .*\n/, "");
const file = (name: string) => sim.router.engine.readFile(name);

const base: DeviceIntent = {
  interfaces: [{ name: "ether1", kind: "ethernet", description: "uplink", addresses: ["192.0.2.1/24"] }],
};
const changed: DeviceIntent = {
  interfaces: [
    {
      name: "ether1",
      kind: "ethernet",
      description: "uplink (moved)",
      mtu: 1400,
      addresses: ["192.0.2.1/24", "203.0.113.1/24"],
    },
  ],
  static_routes: [{ prefix: "198.51.100.0/24", via: "192.0.2.254" }],
};

let seq = 0;
const ctxOf = (intent: DeviceIntent): ApplyContext => ({ runId: `revert-${++seq}`, device, intent, env: {} });

async function commitChanged(s: DeviceSession, ctx: ApplyContext, timeoutS: number): Promise<Staged> {
  const live = await routerosDriver.read(s, device);
  await routerosApply.lock(s, ctx);
  const staged = await routerosApply.stage(s, ctx, routerosDriver.candidate(ctx.intent, device, live), live);
  await routerosApply.arm?.(s, ctx, staged, timeoutS);
  await routerosApply.commit(s, ctx, staged, timeoutS);
  return staged;
}

async function applyBase() {
  const t = transport();
  const state = mkdtempSync(join(tmpdir(), "ros-revert-state-"));
  try {
    const live = await routerosDriver.read(await t.session("tower-1"), device);
    const [o] = await applyWave(
      [
        {
          device,
          intent: base,
          candidate: routerosDriver.candidate(base, device, live),
          live,
          probes: [],
          publicKeys: {},
        },
      ],
      {
        runId: `base-${++seq}`,
        transport: t,
        drivers: { routeros: routerosApply },
        store: new StateStore(state),
        env: {},
        confirmTimeoutS: 60,
        healthTimeoutS: 5,
        pollIntervalMs: 100,
      },
    );
    expect(o?.result).toBe("confirmed");
  } finally {
    await t.closeAll();
    rmSync(state, { recursive: true, force: true });
  }
}

beforeEach(async () => {
  // Whatever a test left: the lock of a dead run goes (by the test, from outside), then base.
  sim.router.run('/file remove [find where name="reconciler-lock.txt"]');
  await applyBase();
});

describe("the scheduler reverts an unconfirmed commit by itself", () => {
  it("after the timeout, not before, once the reconciler is gone; the late confirm says so; the next run takes over", async () => {
    const before = exported();
    const t = transport();
    const ctx = ctxOf(changed);
    const staged = await commitChanged(await t.session("tower-1"), ctx, 60);
    const committed = exported();
    expect(committed).not.toBe(before);
    expect(committed).toContain("reconciler-revert-");
    await t.closeAll(); // the reconciler is gone

    expect(advance(30)).toEqual([]);
    expect(exported()).toBe(committed);
    const fired = advance(31);
    expect(fired.map((f) => [f.name, f.ok])).toEqual([[`reconciler-revert-${ctx.runId}`, true]]);
    expect(exported()).toBe(before); // changes undone, scheduler entry and undo script gone
    expect(file(`reconciler-decided-${ctx.runId}.txt`)).toBe("reverted");
    expect(advance(120)).toEqual([]); // once only

    const t2 = transport();
    try {
      const s = await t2.session("tower-1");
      const late = await routerosApply.confirm(s, ctx, staged).catch((e) => e);
      expect(late).toBeInstanceOf(CommitFailedError);
      expect(String(late.message)).toMatch(/too late.*reverted this run by itself/);
      // The lock of the reverted run is stale, and the next run takes it over.
      const state = await routerosApply.lockState?.(s, device);
      expect(state?.describe).toContain(ctx.runId);
      expect(state?.stale).toMatch(/reverted by the device itself/);
      const next = ctxOf(base);
      await routerosApply.lock(s, next);
      expect(file("reconciler-lock.txt")).toContain(`run=${next.runId} `);
      await routerosApply.unlock(s, next);
      expect(file("reconciler-lock.txt")).toBeUndefined();
    } finally {
      await t2.closeAll();
    }
  });

  it("rearm moves the revert: it fires timeoutS after the rearm", async () => {
    const before = exported();
    const t = transport();
    const ctx = ctxOf(changed);
    try {
      const s = await t.session("tower-1");
      const staged = await commitChanged(s, ctx, 10);
      expect(advance(8)).toEqual([]);
      await routerosApply.rearm?.(s, ctx, staged, 10);
      expect(advance(8)).toEqual([]);
      expect(exported()).not.toBe(before);
      expect(advance(3).map((f) => f.name)).toEqual([`reconciler-revert-${ctx.runId}`]);
      expect(exported()).toBe(before);
      // A rearm after the revert is too late, and says so.
      await expect(routerosApply.rearm?.(s, ctx, staged, 10)).rejects.toThrow(/too late/);
    } finally {
      await t.closeAll();
    }
  });

  it("a confirmed run stays: nothing fires later, nothing of the run is left but its restore point", async () => {
    const t = transport();
    const ctx = ctxOf(changed);
    try {
      const s = await t.session("tower-1");
      const staged = await commitChanged(s, ctx, 10);
      await routerosApply.confirm(s, ctx, staged);
      await routerosApply.unlock(s, ctx);
      const kept = exported();
      // Of the run, only its restore point (emergency rollback) is left.
      for (const gone of [
        "reconciler-revert-",
        "reconciler-undo-",
        "reconciler-decided-",
        "reconciler-committed-",
      ])
        expect(kept).not.toContain(gone);
      expect(kept).toContain(`name=reconciler-restore-${ctx.runId}`);
      expect(advance(60)).toEqual([]);
      expect(exported()).toBe(kept);
      expect(file(`reconciler-decided-${ctx.runId}.txt`)).toBeUndefined();
      expect(file("reconciler-lock.txt")).toBeUndefined();
    } finally {
      await t.closeAll();
    }
  });

  it("a commit the device refuses half way is rolled back exactly by the executor", async () => {
    const before = exported();
    // The device refuses a distance above 255 when the line runs; the lines before it have run.
    const intent: DeviceIntent = {
      ...changed,
      raw: { routeros: ["/ip route add dst-address=192.0.2.128/25 gateway=192.0.2.254 distance=300"] },
    };
    const t = transport();
    const state = mkdtempSync(join(tmpdir(), "ros-revert-state-"));
    try {
      const live = await routerosDriver.read(await t.session("tower-1"), device);
      const [o] = await applyWave(
        [
          {
            device,
            intent,
            candidate: routerosDriver.candidate(intent, device, live),
            live,
            probes: [],
            publicKeys: {},
          },
        ],
        {
          runId: `partial-${++seq}`,
          transport: t,
          drivers: { routeros: routerosApply },
          store: new StateStore(state),
          env: {},
          confirmTimeoutS: 60,
          healthTimeoutS: 5,
          pollIntervalMs: 100,
        },
      );
      expect(o?.result).toBe("rolled-back");
      expect(JSON.stringify(o?.error)).toMatch(/commit stopped at line \d+ of \d+.*distance=300/);
    } finally {
      await t.closeAll();
      rmSync(state, { recursive: true, force: true });
    }
    expect(exported()).toBe(before);
    expect(file("reconciler-lock.txt")).toBeUndefined();
  });
});
