// Emergency rollback on the RouterOS simulator over SSH: a confirmed run leaves its undo script
// as a restore point on the router (with the secret files it reads); restoring it through the
// executor puts the router back as it was before that run, a removed WireGuard interface with
// its very private key, and retires the point; a point whose script was tampered with is refused
// before anything is sent.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplyTarget, applyWave } from "../../../reconciler/apply/executor.ts";
import type { ApplyContext, RestorePoint } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import { CandidateRejectedError } from "../../../reconciler/model/errors.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { StateStore } from "../../../reconciler/state/store.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";

let tower: SimTower;
beforeAll(async () => {
  tower = await startSimTower();
});
afterAll(async () => {
  await tower?.close();
});

const store = new StateStore(mkdtempSync(join(tmpdir(), "ros-restore-state-")));
const run = (cmd: string) => tower.sim.router.run(cmd).output;
/** The configuration the runs change (the reconciler's own scripts and files aside). */
const terse = () =>
  ["/interface export terse show-sensitive", "/ip address export terse"]
    .flatMap((c) => run(c).split("\n"))
    .filter((l) => l !== "" && !l.startsWith("#"))
    .sort();

async function wave(
  runId: string,
  target: (live: ApplyTarget["live"]) => Omit<ApplyTarget, "live" | "device">,
) {
  const t = tower.transport();
  try {
    const live = await routerosDriver.read(await t.session("tower-1"), tower.device);
    const [outcome] = await applyWave([{ device: tower.device, live, ...target(live) }], {
      runId,
      transport: t,
      drivers: { routeros: routerosApply },
      store,
      env: {},
      confirmTimeoutS: 60,
      healthTimeoutS: 5,
      pollIntervalMs: 100,
      soakS: 0,
    });
    return outcome;
  } finally {
    await t.closeAll();
  }
}

async function points(): Promise<RestorePoint[]> {
  const t = tower.transport();
  try {
    const s = await t.session("tower-1");
    const ctx: ApplyContext = { runId: "list", device: tower.device, intent: {}, env: {} };
    return (await routerosApply.restorePoints?.(s, ctx)) ?? [];
  } finally {
    await t.closeAll();
  }
}

describe("RouterOS restore points", () => {
  it("a confirmed run's point restores the router exactly, a removed WireGuard key included", async () => {
    // Before: what a first run of the reconciler made (marked), with a private key of its own.
    run('/interface wireguard add name=wg-old listen-port=51999 comment="[reconciler]"');
    run('/interface bridge add name=br-keep comment="[reconciler]"');
    const keyBefore = run(":put [/interface wireguard get [find name=wg-old] private-key]").trim();
    const before = terse();

    // Run 1 removes wg-old and adds an address: confirmed.
    const intent: DeviceIntent = {
      interfaces: [{ name: "br-keep", kind: "bridge", addresses: ["192.0.2.77/32"] }],
    };
    const first = await wave("20261130T010000Z-aaaa", (live) => ({
      intent,
      candidate: routerosDriver.candidate(intent, tower.device, live),
      probes: [],
      publicKeys: {},
    }));
    expect(first?.error?.message ?? "").toBe("");
    expect(first?.result).toBe("confirmed");
    expect(run("/interface wireguard print count-only").trim()).toBe("0");
    const [point, ...older] = await points();
    expect(point?.runId).toBe("20261130T010000Z-aaaa");
    expect(older).toEqual([]);

    // The emergency rollback: the point staged as a run of its own, confirmed.
    const restored = await wave("20261130T020000Z-bbbb", (live) => ({
      intent,
      candidate: { kind: "commands", commands: [] },
      probes: [],
      publicKeys: {},
      restore: point as RestorePoint,
    }));
    expect(restored?.error?.message ?? "").toBe("");
    expect(restored?.result).toBe("confirmed");
    // Exactly as before run 1, the private key of wg-old included (the restore read it on the router).
    expect(run(":put [/interface wireguard get [find name=wg-old] private-key]").trim()).toBe(keyBefore);
    expect(terse()).toEqual(before);
    // The restore's own undo (run 1 again) removes wg-old by its name.
    const redo = run(
      ':put [/system script get [find name="reconciler-restore-20261130T020000Z-bbbb"] source]',
    );
    expect(redo).toContain("/interface wireguard remove [ find where name=wg-old ]");
    // The point is retired with its secret files; the restore is itself a point now.
    expect((await points()).map((p) => p.runId)).toEqual(["20261130T020000Z-bbbb"]);
    expect(run('/file print count-only where name~"reconciler-secret-20261130T010000Z-aaaa"').trim()).toBe(
      "0",
    );
  });

  it("a point whose script was changed on the router is refused before anything is sent", async () => {
    const [point] = await points();
    expect(point).toBeDefined();
    const name = `reconciler-restore-${point?.runId}`;
    run(
      `/system script set [find name=${name}] source=([/system script get [find name=${name}] source] . ":do { /system reboot } on-error={}\\n")`,
    );
    const before = terse();
    const t = tower.transport();
    try {
      const s = await t.session("tower-1");
      const live = await routerosDriver.read(s, tower.device);
      const ctx: ApplyContext = { runId: "20261130T030000Z-cccc", device: tower.device, intent: {}, env: {} };
      await expect(routerosApply.stageRestore?.(s, ctx, point as RestorePoint, live)).rejects.toBeInstanceOf(
        CandidateRejectedError,
      );
    } finally {
      await t.closeAll();
    }
    expect(terse()).toEqual(before);
  });
});
