// The example's tower-1 (bridges, the WireGuard/OSPF link to core-1, iBGP) through the RouterOS
// apply half on the simulator over SSH: committed then rolled back, the device is exactly as
// before (every inverse across the menus the planner writes); applied through the executor, it
// is confirmed and nothing is left to plan; and rolled back from there (removals re-added, each
// item exactly, though a re-added item comes last in its menu).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyWave } from "../../../reconciler/apply/executor.ts";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { StateStore } from "../../../reconciler/state/store.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";
import type { RouterOsSsh } from "../../sim/routeros/ssh-server.ts";

let tower: SimTower;
let sim: RouterOsSsh;
let device: ResolvedDevice;
let desired: DeviceIntent;

beforeAll(async () => {
  tower = await startSimTower();
  ({ sim, device } = tower);
  const loaded = await loadExample();
  if (!loaded.repo) throw new Error("the example does not load");
  const example = loaded.repo.expanded["tower-1"] ?? {};
  // The simulator has no /ip dns menu: that raw line is left out (as in against-sim.test.ts).
  desired = {
    ...example,
    raw: { routeros: (example.raw?.routeros ?? []).filter((l) => !l.startsWith("/ip dns")) },
  };
});

afterAll(async () => {
  await tower?.close();
});

const transport = () => tower.transport();
const exported = () => sim.router.run("/export").output.replace(/^# .* by RouterOS .*\n/, "");
/**
 * The device's items, one terse line each, sorted: what a rollback that had to re-add removed
 * items restores. RouterOS gives a re-added item a new id, and its menu lists it last (only
 * ordered lists such as the firewall's have place-before), so the export's order can differ.
 */
const items = () =>
  sim.router
    .run("/export terse")
    .output.split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .sort();

describe("the example's tower-1 on the simulator", () => {
  it("committed then rolled back: exactly as before", async () => {
    const before = exported();
    const t = transport();
    try {
      const s = await t.session("tower-1");
      const live = await routerosDriver.read(s, device);
      const ctx: ApplyContext = { runId: "example-rb", device, intent: desired, env: {} };
      await routerosApply.lock(s, ctx);
      const candidate = routerosDriver.candidate(desired, device, live);
      expect(candidate.kind === "commands" && candidate.commands.length).toBeGreaterThan(5);
      const staged = await routerosApply.stage(s, ctx, candidate, live);
      await routerosApply.arm?.(s, ctx, staged, 60);
      await routerosApply.commit(s, ctx, staged, 60);
      expect(exported()).toContain("/routing ospf instance");
      await routerosApply.rollback(s, ctx, staged);
      await routerosApply.unlock(s, ctx);
    } finally {
      await t.closeAll();
    }
    expect(exported()).toBe(before);
  });

  it("applied through the executor: confirmed, nothing left to plan; then a run removing it all rolls back exactly", async () => {
    const state = mkdtempSync(join(tmpdir(), "ros-example-state-"));
    const wave = async (intent: DeviceIntent, runId: string) => {
      const t = transport();
      try {
        const live = await routerosDriver.read(await t.session("tower-1"), device);
        return {
          live,
          candidate: routerosDriver.candidate(intent, device, live),
          t,
          run: async () =>
            (
              await applyWave(
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
                  runId,
                  transport: t,
                  drivers: { routeros: routerosApply },
                  store: new StateStore(state),
                  env: {},
                  confirmTimeoutS: 60,
                  healthTimeoutS: 5,
                  pollIntervalMs: 100,
                },
              )
            )[0],
        };
      } catch (e) {
        await t.closeAll();
        throw e;
      }
    };
    try {
      const first = await wave(desired, "example-apply");
      try {
        expect((await first.run())?.result).toBe("confirmed");
      } finally {
        await first.t.closeAll();
      }
      const again = await wave(desired, "example-again");
      await again.t.closeAll();
      expect(again.candidate).toEqual({ kind: "commands", commands: [] });

      // Everything the reconciler made goes (git describes nothing but the identity): committed
      // by hand, then rolled back, the removed items come back exactly (in their menus' order
      // where the removal was last, else at its end).
      const applied = items();
      const t = transport();
      try {
        const s = await t.session("tower-1");
        const live = await routerosDriver.read(s, device);
        const none: DeviceIntent = { raw: { routeros: ["/system identity set name=tower-1"] } };
        const candidate = routerosDriver.candidate(none, device, live);
        expect(
          candidate.kind === "commands" && candidate.commands.some((c) => c.line.includes(" remove ")),
        ).toBe(true);
        const ctx: ApplyContext = { runId: "example-remove", device, intent: none, env: {} };
        const privateKey = sim.router
          .run(":put [/interface wireguard get wg-core private-key]")
          .output.trim();
        expect(privateKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        await routerosApply.lock(s, ctx);
        const staged = await routerosApply.stage(s, ctx, candidate, live);
        await routerosApply.arm?.(s, ctx, staged, 60);
        await routerosApply.commit(s, ctx, staged, 60);
        expect(items()).not.toEqual(applied);
        // The removed interface's private key waits for the undo in a file: in no export, and
        // so in no read, while the run is pending.
        expect(staged.secrets).toContain(privateKey);
        expect(sim.router.run("/export show-sensitive").output).not.toContain(privateKey);
        expect((await routerosDriver.read(s, device)).artifacts["routeros:export"]).not.toContain(privateKey);
        await routerosApply.rollback(s, ctx, staged);
        await routerosApply.unlock(s, ctx);
        // Restored with its own key (the public key git records still holds), the file gone.
        expect(sim.router.run(":put [/interface wireguard get wg-core private-key]").output.trim()).toBe(
          privateKey,
        );
        expect(sim.router.run("/file print terse").output).not.toContain("reconciler-secret");
      } finally {
        await t.closeAll();
      }
      expect(items()).toEqual(applied);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
