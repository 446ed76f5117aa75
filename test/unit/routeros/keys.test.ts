// `reconciler keys` on the RouterOS simulator over SSH: a missing WireGuard interface is added
// without a private key (RouterOS generates it on the device) as the plan would add it, only the
// public key comes back, and a second call changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyContext } from "../../../reconciler/drivers/apply-contract.ts";
import { routerosApply } from "../../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../../reconciler/drivers/routeros/driver.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";

let tower: SimTower;
beforeAll(async () => {
  tower = await startSimTower();
});
afterAll(async () => {
  await tower?.close();
});

const intent: DeviceIntent = {
  wireguard: [
    { name: "wg-core", description: "link core-tower", mtu: 1420, peers: [] },
    { name: "wg-b", listen_port: 51820, peers: [] },
  ],
};

async function ensure(names: string[]): Promise<Record<string, string>> {
  const keys = routerosApply.capabilities.keys;
  if (!keys) throw new Error("the RouterOS driver declares no keys capability");
  const t = tower.transport();
  try {
    const ctx: ApplyContext = { runId: "keys-1", device: tower.device, intent, env: {} };
    return await keys.ensureKeys(await t.session("tower-1"), ctx, names);
  } finally {
    await t.closeAll();
  }
}

describe("RouterOS keys", () => {
  it("adds the interfaces without a private key and returns the keys the device derived", async () => {
    const sent = tower.sim.commands.length;
    const keys = await ensure(["wg-core", "wg-b"]);
    const lines = tower.sim.commands.slice(sent);
    expect(lines.filter((l) => l.includes("add"))).toEqual([
      '/interface wireguard add name=wg-core mtu=1420 comment="link core-tower [reconciler]"',
      '/interface wireguard add name=wg-b listen-port=51820 comment="[reconciler]"',
    ]);
    expect(lines.join("\n")).not.toMatch(/private-key/);
    for (const name of ["wg-core", "wg-b"]) {
      const onDevice = tower.sim.router.run(`:put [/interface wireguard get [find name=${name}] public-key]`);
      expect(keys[name]).toBe(onDevice.output.trim());
      expect(keys[name]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    expect(keys["wg-core"]).not.toBe(keys["wg-b"]);
  });

  it("a second call adds nothing and returns the same keys; the plan has nothing to add", async () => {
    const first = await ensure(["wg-core", "wg-b"]);
    const sent = tower.sim.commands.length;
    expect(await ensure(["wg-core", "wg-b"])).toEqual(first);
    expect(tower.sim.commands.slice(sent).filter((l) => / add /.test(l))).toEqual([]);
    const t = tower.transport();
    try {
      const live = await routerosDriver.read(await t.session("tower-1"), tower.device);
      expect(live.publicKeys).toEqual(first);
      const candidate = routerosDriver.candidate(intent, tower.device, live);
      expect(candidate.kind === "commands" && candidate.commands.map((c) => c.line)).toEqual([]);
    } finally {
      await t.closeAll();
    }
  });

  it("a name that is another kind of interface on the device is refused, nothing added", async () => {
    tower.sim.router.run("/interface bridge add name=br-x");
    const sent = tower.sim.commands.length;
    await expect(ensure(["br-x"])).rejects.toThrow(/ensure keys/);
    expect(tower.sim.router.run("/interface wireguard print count-only").output.trim()).toBe("2");
    expect(tower.sim.commands.length).toBeGreaterThan(sent);
  });
});
