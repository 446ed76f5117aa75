import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import type { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";
import type { RouterOsSsh } from "../../sim/routeros/ssh-server.ts";

let tower: SimTower;
let transport: SshTransport;
let device: ResolvedDevice;

beforeAll(async () => {
  // A failed command exits non-zero here, so that nothing the simulator refuses goes unseen.
  tower = await startSimTower({ errorExitStatus: 1, user: "reconciler+ct511w4098h" });
  ({ device } = tower);
  transport = tower.transport();
});

afterAll(async () => {
  await transport?.closeAll();
  await tower?.close();
});

describe("the RouterOS driver against the simulator", () => {
  it("plans tower-1 from a fresh device, the simulator accepts every command, and then nothing is left to do", async () => {
    const loaded = await loadExample();
    if (!loaded.repo) throw new Error("the example does not load");
    // The simulator has no /ip dns menu (not one the reconciler manages): that raw line is left out.
    const example = loaded.repo.expanded["tower-1"] ?? {};
    const desired = {
      ...example,
      raw: { routeros: (example.raw?.routeros ?? []).filter((l) => !l.startsWith("/ip dns")) },
    };
    expect(desired.raw.routeros).toEqual(["/system identity set name=tower-1"]);
    // The keys git records are the device's own (what `reconciler keys` records): the simulator
    // generates its WireGuard private key on `add`, as RouterOS does.
    const input = (live: Awaited<ReturnType<typeof routerosDriver.read>>) => ({
      device,
      desired,
      live,
      publicKeys: live.publicKeys,
    });
    const s = await transport.session("tower-1");
    const first = planDevice(input(await routerosDriver.read(s, device)), routerosDriver);
    expect(first.status).toBe("changes");
    const commands = first.commands ?? [];
    expect(commands.length).toBeGreaterThan(5);
    for (const c of commands) {
      expect(c.line).not.toMatch(/@secret:/);
      const r = await s.line(c.line);
      expect({ line: c.line, exit: r.exitCode, out: r.stdout.trim() }).toEqual({
        line: c.line,
        exit: 0,
        out: "",
      });
    }
    const again = planDevice(input(await routerosDriver.read(s, device)), routerosDriver);
    expect(again.changes.map((c) => c.path)).toEqual([]);
    expect(again.commands ?? []).toEqual([]);
    expect(again.status).toBe("unchanged");
  });
});
