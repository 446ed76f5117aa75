// The driver contract on the toy platform: a command-shaped candidate (ordered CLI lines computed
// from live and desired) through plan, apply and the contract suite, against a simulator that
// validates and reverts by itself. Also: the plan shows the commands as they will be sent.
import { describe, expect, it } from "vitest";
import type { ResolvedDevice } from "../../reconciler/model/repo.ts";
import { planDevice } from "../../reconciler/plan/planner.ts";
import { formatDevicePlan } from "../../reconciler/report/plan-text.ts";
import { testDevice } from "../helpers/device.ts";
import { describeDriverContract } from "./driver-contract.ts";
import { TOY, toyApply, toyDriver } from "./toy/driver.ts";
import { ToyDevice } from "./toy/simulator.ts";
import { toyTransport } from "./toy/transport.ts";

const SECRET = "toy-device-secret-value";
const device: ResolvedDevice = testDevice("toy-1", { platform: TOY });
const sim = new ToyDevice([
  `secret snmp ${SECRET}`,
  "banner authorised access only",
  "interface eth0 mtu 1500",
]);

const base = {
  interfaces: [{ name: "eth1", kind: "ethernet" as const, mtu: 1500, addresses: ["192.0.2.1/24"] }],
};
const changed = {
  interfaces: [
    { name: "eth1", kind: "ethernet" as const, mtu: 1400, addresses: ["192.0.2.1/24", "198.51.100.1/24"] },
  ],
};
// The schema takes an MTU of 9500; this device cannot carry more than 9216 and says so.
const rejected = { interfaces: [{ name: "eth1", kind: "ethernet" as const, mtu: 9500 }] };

describeDriverContract({
  name: "toy (command-shaped, simulator)",
  driver: toyDriver,
  apply: toyApply,
  device: () => device,
  transport: () => toyTransport({ "toy-1": sim }),
  desired: { base, changed, rejected },
  env: {},
  secrets: () => [SECRET],
  exportConfig: async () => sim.running.join("\n"),
  addUnmanaged: async () => {
    sim.running = [...sim.running, "interface eth9 mtu 9000"].sort();
    return "interfaces[eth9]";
  },
  removeUnmanaged: async () => {
    sim.running = sim.running.filter((l) => !l.startsWith("interface eth9 "));
  },
  revertAfterS: 1,
  timeoutMs: 20_000,
});

describe("a command-shaped plan", () => {
  it("lists the commands in the order they will be sent, each with what it does", async () => {
    const t = toyTransport({
      "toy-1": new ToyDevice(["interface eth1 mtu 1500", "interface eth1 address 192.0.2.9/24"]),
    });
    const live = await toyDriver.read(await t.session("toy-1"), device);
    const p = planDevice({ device, desired: changed, live }, toyDriver);
    expect(p.commands).toEqual([
      { line: "set interface eth1 mtu 1400", description: "mtu of eth1 to 1400" },
      { line: "set interface eth1 address 192.0.2.1/24", description: "add 192.0.2.1/24 to eth1" },
      { line: "set interface eth1 address 198.51.100.1/24", description: "add 198.51.100.1/24 to eth1" },
      { line: "delete interface eth1 address 192.0.2.9/24", description: "remove 192.0.2.9/24 from eth1" },
    ]);
    expect(p.files).toEqual([]);
    expect(p.candidateFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const text = formatDevicePlan(p);
    expect(text).toMatch(/toy-1 \(toy\): \d+ to add, \d+ to change, \d+ to remove \(4 commands\)/);
    expect(text).toContain("    # mtu of eth1 to 1400\n    set interface eth1 mtu 1400\n");
  });
});
