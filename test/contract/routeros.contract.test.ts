import { afterAll, beforeAll } from "vitest";
import { routerosApply } from "../../reconciler/drivers/routeros/apply.ts";
import { routerosDriver } from "../../reconciler/drivers/routeros/driver.ts";
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { type SimTower, startSimTower, withoutRestorePoints } from "../sim/routeros/harness.ts";
import type { RouterOsSsh } from "../sim/routeros/ssh-server.ts";
import { describeDriverContract } from "./driver-contract.ts";

let tower: SimTower;
let sim: RouterOsSsh;
let device: ResolvedDevice;

beforeAll(async () => {
  // The exec status of a failed command stays 0 (RouterOS documents none): the driver reads the
  // device's answer, not the status.
  tower = await startSimTower({ user: "reconciler+ct511w4098h" });
  ({ sim, device } = tower);
  // A secret the device holds, which read must never return: a WireGuard interface git does not
  // describe (its private key generated on the device).
  const r = sim.router.run('/interface wireguard add name=wg-oob comment="out of band"');
  if (!r.ok) throw new Error(r.output);
});

afterAll(async () => {
  await tower?.close();
});

const base: DeviceIntent = {
  interfaces: [
    { name: "ether1", kind: "ethernet", description: "uplink", addresses: ["192.0.2.1/24"] },
    { name: "lo-mgmt", kind: "dummy", addresses: ["198.51.100.7/32"] },
  ],
};
const changed: DeviceIntent = {
  interfaces: [
    {
      name: "ether1",
      kind: "ethernet",
      description: 'uplink; "moved" $now',
      mtu: 1400,
      addresses: ["192.0.2.1/24", "203.0.113.1/24"],
    },
    { name: "lo-mgmt", kind: "dummy", addresses: ["198.51.100.7/32"] },
  ],
  static_routes: [{ prefix: "203.0.113.128/25", via: "192.0.2.254", description: "to the lab" }],
};
// The device has no ether99: RouterOS refuses the address when it runs (there is no dry run).
const rejected: DeviceIntent = {
  ...base,
  raw: { routeros: ["/ip address add address=192.0.2.99/24 interface=ether99"] },
};

/**
 * The device's own export, without its dated first line and without the restore points confirmed
 * runs leave (the reconciler's bookkeeping, as /var/lib/reconciler is on Debian).
 */
const exportNow = async () => {
  const out = sim.router.run("/export").output;
  return withoutRestorePoints(out.replace(/^# \S+ \S+ by RouterOS .*\n/, ""));
};

describeDriverContract({
  name: "routeros v7 (simulator over SSH)",
  driver: routerosDriver,
  apply: routerosApply,
  device: () => device,
  transport: () => tower.transport(),
  desired: { base, changed, rejected },
  env: {},
  secrets: () => {
    const out = sim.router
      .run(":put [/interface wireguard get [find where name=wg-oob] private-key]")
      .output.trim();
    return [out];
  },
  exportConfig: exportNow,
  addUnmanaged: async () => {
    const r = sim.router.run('/interface bridge add name=br-guest comment="not in git"');
    if (!r.ok) throw new Error(r.output);
    return "interfaces[br-guest]";
  },
  removeUnmanaged: async () => {
    sim.router.run("/interface bridge remove [find where name=br-guest]");
  },
  revertAfterS: 3,
  timeoutMs: 60_000,
});
