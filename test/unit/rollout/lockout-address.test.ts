// Lockout analysis: a device losing the management address the inventory names.
import { describe, expect, it } from "vitest";
import { lockoutFindings } from "../../../reconciler/rollout/lockout.ts";
import { coreState, liveStates, planOf, repoOf, type States } from "./lockout-fixture.ts";

const renumbered = (addresses: string[]): States => {
  const core = coreState();
  const mgmt = core.interfaces?.[0];
  if (mgmt) mgmt.addresses = addresses;
  return { ...liveStates(), "core-1": core };
};

describe("lockoutFindings: the management address", () => {
  it("finds nothing in a plan that touches nothing on the path", () => {
    const desired = renumbered(["192.0.2.1/24", "2001:db8::1/64"]);
    const cost = desired["core-1"]?.ospf?.instances[0]?.areas[0]?.interfaces?.[0];
    if (cost) cost.cost = 20;
    const plan = planOf(desired, liveStates());
    expect(plan.devices[0]?.changes.length).toBe(2);
    expect(lockoutFindings({ repo: repoOf(desired), plan, waves: [["core-1"]] })).toEqual([]);
  });

  it("refuses renumbering the address the inventory still names, and names every device behind it", () => {
    const desired = renumbered(["192.0.2.2/24"]);
    desired["tower-1"]?.interfaces?.push({ name: "eth1", kind: "ethernet", addresses: ["198.51.100.1/28"] });
    const findings = lockoutFindings({
      repo: repoOf(desired),
      plan: planOf(desired, liveStates()),
      waves: [["core-1"], ["tower-1"]],
    });
    const change = "interfaces[mgmt0].addresses: 192.0.2.1/24 → 192.0.2.2/24";
    expect(findings).toEqual([
      {
        device: "core-1",
        path: "reconciler → core-1 (192.0.2.1:22)",
        change,
        message:
          "core-1 loses its management address 192.0.2.1: keep the old address until the new one is live " +
          "(add the new address, point the inventory at it, remove the old one in a later run), or pass --allow-lockout",
      },
      {
        device: "tower-1",
        path: "reconciler → core-1 → tower-1 (198.51.100.150:22)",
        change,
        message:
          "core-1 loses its management address 192.0.2.1: tower-1 could not be reached afterwards (the inventory still reaches it this way): " +
          "keep the old path until the new one is live, or take tower-1 out of the inventory, or pass --allow-lockout",
      },
    ]);
  });

  it("refuses deleting the interface that holds the address", () => {
    const desired = { ...liveStates(), "core-1": { ...coreState(), interfaces: [] } };
    const live = liveStates();
    const findings = lockoutFindings({
      repo: repoOf(desired),
      // mgmt0 is not in the shared-collection owned set of the fixture: delete it by hand.
      plan: {
        ...planOf(desired, live),
        devices: [
          {
            device: "core-1",
            platform: "debian",
            status: "changes",
            changes: [
              {
                device: "core-1",
                path: "interfaces[mgmt0]",
                action: "delete",
                before: live["core-1"]?.interfaces?.[0],
              },
            ],
            files: [],
            unmanaged: [],
          },
        ],
      },
      waves: [["core-1"]],
    });
    // The device behind it is cut off as well, though this rollout does not apply it.
    expect(findings.map((f) => [f.device, f.change])).toEqual([
      ["core-1", "interfaces[mgmt0]: 192.0.2.1/24 → (deleted)"],
      ["tower-1", "interfaces[mgmt0]: 192.0.2.1/24 → (deleted)"],
    ]);
  });

  it("accepts the first run of a renumbering: the new address is added, the old one stays", () => {
    const desired = renumbered(["192.0.2.1/24", "192.0.2.2/24"]);
    const plan = planOf(desired, liveStates());
    expect(plan.devices[0]?.changes.map((c) => c.path)).toEqual([
      "interfaces[mgmt0].addresses[192.0.2.2/24]",
    ]);
    expect(lockoutFindings({ repo: repoOf(desired), plan, waves: [["core-1"]] })).toEqual([]);
  });

  it("accepts the second run: the inventory names the new address, the old one goes", () => {
    const live = renumbered(["192.0.2.1/24", "192.0.2.2/24"]);
    const desired = renumbered(["192.0.2.2/24"]);
    const repo = repoOf(desired, { "core-1": { host: "192.0.2.2" } });
    expect(lockoutFindings({ repo, plan: planOf(desired, live), waves: [["core-1"]] })).toEqual([]);
    // The same plan with the inventory left on the old address is refused (and the device behind).
    expect(
      lockoutFindings({ repo: repoOf(desired), plan: planOf(desired, live), waves: [["core-1"]] }).map(
        (f) => f.device,
      ),
    ).toEqual(["core-1", "tower-1"]);
  });

  it("no order spares the device behind one whose address goes: it would be cut off afterwards", () => {
    const desired = renumbered(["192.0.2.2/24"]);
    desired["tower-1"]?.interfaces?.push({ name: "eth1", kind: "ethernet", addresses: ["198.51.100.1/28"] });
    const findings = lockoutFindings({
      repo: repoOf(desired),
      plan: planOf(desired, liveStates()),
      waves: [["tower-1"], ["core-1"]],
    });
    expect(findings.map((f) => f.device)).toEqual(["tower-1", "core-1"]);
  });

  it("refuses moving the management interface to another VLAN", () => {
    const live = liveStates();
    const desired = liveStates();
    const set = (s: States, id: number) => {
      const mgmt = s["core-1"]?.interfaces?.[0];
      if (mgmt) Object.assign(mgmt, { kind: "vlan", vlan: { parent: "eth0", id } });
    };
    set(live, 10);
    set(desired, 20);
    const findings = lockoutFindings({
      repo: repoOf(desired),
      plan: planOf(desired, live),
      waves: [["core-1"]],
    });
    expect(findings.map((f) => [f.device, f.change])).toEqual([
      ["core-1", "interfaces[mgmt0].vlan.id: 10 → 20"],
      ["tower-1", "interfaces[mgmt0].vlan.id: 10 → 20"],
    ]);
  });

  it("refuses renumbering an IPv6 management address, written with brackets in the path", () => {
    const live = renumbered(["192.0.2.1/24", "2001:db8::1/64"]);
    const desired = renumbered(["192.0.2.1/24", "2001:db8::2/64"]);
    const repo = repoOf(desired, { "core-1": { host: "2001:db8:0::1" } });
    expect(
      lockoutFindings({ repo, plan: planOf(desired, live), waves: [["core-1"]] }).map((f) => [
        f.path,
        f.change,
      ]),
    ).toEqual([
      [
        "reconciler → core-1 ([2001:db8:0::1]:22)",
        "interfaces[mgmt0].addresses: 2001:db8::1/64 → 2001:db8::2/64",
      ],
      [
        "reconciler → core-1 → tower-1 (198.51.100.150:22)",
        "interfaces[mgmt0].addresses: 2001:db8::1/64 → 2001:db8::2/64",
      ],
    ]);
  });
});
