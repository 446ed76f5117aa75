// The planner without I/O: desired and live states in, an exact Plan value out.
import { describe, expect, it } from "vitest";
import type { FilesCandidate, LiveState } from "../../reconciler/model/live.ts";
import { diffStates } from "../../reconciler/plan/diff.ts";
import { type PlannerDriver, plan, planDevice } from "../../reconciler/plan/planner.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { testDevice } from "../helpers/device.ts";

const KEY_B = "XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=";
const KEY_C = "iyKVpaLwCMZ5P4j1ZQk8Olz4S1hb3VV867kesNs9WQM=";

const device = testDevice("router-a");

const desired: DeviceIntent = {
  forwarding: { ipv4: true, ipv6: true },
  wireguard: [
    {
      name: "wg-b",
      listen_port: 51820,
      addresses: ["203.0.113.0/31", "fe80::ab:1/64"],
      peers: [{ public_key: KEY_B, allowed_ips: ["0.0.0.0/0", "::/0"], endpoint: "198.51.100.65:51820" }],
    },
  ],
  ospf: {
    router_id: "192.0.2.193",
    instances: [
      {
        name: "mesh4",
        version: 3,
        address_family: "ipv4",
        areas: [{ id: "0.0.0.0", interfaces: [{ name: "wg-b", cost: 10, hello: 5, dead: 20 }] }],
      },
    ],
  },
};

/** A toy driver: files are the JSON of each section, nothing is owned but what a test says. */
const toyDriver = (owned: string[] = []): PlannerDriver => ({
  candidate: (intent): FilesCandidate => ({
    kind: "files",
    files: Object.fromEntries(
      Object.entries(intent).map(([k, v]) => [`/etc/toy/${k}.json`, `${JSON.stringify(v, null, 1)}\n`]),
    ),
  }),
  normalize: (intent) => structuredClone(intent),
  owned: () => new Set(owned),
});

const liveOf = (state: DeviceIntent, driver = toyDriver()): LiveState => ({
  device: "router-a",
  platform: "debian",
  state,
  artifacts: (driver.candidate(state, device, {} as LiveState) as FilesCandidate).files,
  publicKeys: { "wg-b": "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=" },
  fingerprint: "f00",
});

describe("diffStates", () => {
  it("finds nothing between equal states, whatever the order of keyed items", () => {
    const reordered = structuredClone(desired);
    reordered.wireguard?.[0]?.addresses?.reverse();
    reordered.wireguard?.[0]?.peers[0]?.allowed_ips.reverse();
    expect(diffStates(desired, reordered, { device: "router-a" })).toEqual({ changes: [], unmanaged: [] });
  });

  it("reports a hand-edited OSPF cost as exactly one update", () => {
    const live = structuredClone(desired);
    const iface = live.ospf?.instances[0]?.areas[0]?.interfaces?.[0];
    if (iface) iface.cost = 50;
    expect(diffStates(desired, live, { device: "router-a" }).changes).toEqual([
      {
        device: "router-a",
        path: "ospf.instances[mesh4].areas[0.0.0.0].interfaces[wg-b].cost",
        action: "update",
        before: 50,
        after: 10,
      },
    ]);
  });

  it("matches peers by public key and sets by member", () => {
    const live = structuredClone(desired);
    const wg = live.wireguard?.[0];
    if (!wg) throw new Error("fixture");
    wg.addresses = ["203.0.113.0/31", "fe80::ab:9/64"];
    wg.peers.push({ public_key: KEY_C, allowed_ips: ["192.0.2.0/26"] });
    expect(diffStates(desired, live, { device: "router-a" }).changes.map((c) => [c.action, c.path])).toEqual([
      ["create", "wireguard[wg-b].addresses[fe80::ab:1/64]"],
      ["delete", "wireguard[wg-b].addresses[fe80::ab:9/64]"],
      ["delete", `wireguard[wg-b].peers[${KEY_C}]`],
    ]);
  });

  it("reports foreign items of shared collections as unmanaged, and deletes the ones it owns", () => {
    const live = structuredClone(desired);
    live.wireguard?.push({ name: "wg-old", peers: [] }, { name: "wg-vendor", peers: [] });
    live.interfaces = [{ name: "mgmt0", kind: "ethernet", addresses: ["198.51.100.130/26"] }];
    const r = diffStates(desired, live, { device: "router-a", owned: new Set(["wireguard[wg-old]"]) });
    expect(r.changes.map((c) => [c.action, c.path])).toEqual([["delete", "wireguard[wg-old]"]]);
    expect(r.unmanaged.map((u) => u.path)).toEqual(["wireguard[wg-vendor]", "interfaces[mgmt0]"]);
  });

  it("leaves a section git does not describe alone, unless the reconciler owns it", () => {
    const live = {
      ...structuredClone(desired),
      static_routes: [{ prefix: "192.0.2.0/24", blackhole: true }],
    };
    const foreign = diffStates(desired, live, { device: "router-a" });
    expect(foreign.changes).toEqual([]);
    expect(foreign.unmanaged.map((u) => u.path)).toEqual(["static_routes"]);
    const ours = diffStates(desired, live, { device: "router-a", owned: new Set(["static_routes"]) });
    expect(ours.changes.map((c) => [c.action, c.path])).toEqual([["delete", "static_routes"]]);
    expect(ours.unmanaged).toEqual([]);
  });

  it("creates every section of a fresh device, item by item where items have keys", () => {
    const r = diffStates(desired, {}, { device: "router-a" });
    expect(r.changes.map((c) => [c.action, c.path])).toEqual([
      ["create", "forwarding"],
      ["create", "wireguard[wg-b]"],
      ["create", "ospf"],
    ]);
  });

  it("compares firewall rules in order", () => {
    const rule = (d: string) => ({ description: d, action: "pass" as const, protocol: "any" as const });
    const r = diffStates(
      { firewall: { rules: [rule("a"), rule("b")] } },
      { firewall: { rules: [rule("b"), rule("a")] } },
      { device: "x" },
    );
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]?.path).toBe("firewall.rules");
  });
});

describe("plan", () => {
  const now = () => new Date("2026-11-25T12:00:00Z");

  it("is unchanged against a device already in the desired state", () => {
    const p = planDevice({ device, desired, live: liveOf(desired) }, toyDriver());
    expect(p).toMatchObject({ status: "unchanged", changes: [], files: [], fingerprint: "f00" });
  });

  it("shows the semantic change and the file diff of a drifted device", () => {
    const live = structuredClone(desired);
    if (live.forwarding) live.forwarding.ipv6 = false;
    const p = planDevice({ device, desired, live: liveOf(live) }, toyDriver());
    expect(p.status).toBe("changes");
    expect(p.changes).toEqual([
      { device: "router-a", path: "forwarding.ipv6", action: "update", before: false, after: true },
    ]);
    expect(p.files.map((f) => [f.action, f.path])).toEqual([["update", "/etc/toy/forwarding.json"]]);
    expect(p.files[0]?.diff).toContain('\n- "ipv6": false\n');
    expect(p.files[0]?.diff).toContain('\n+ "ipv6": true\n');
  });

  it("deletes a file the reconciler owns and git no longer describes, and keeps foreign files", () => {
    const live = liveOf(desired);
    live.artifacts["/etc/toy/old.json"] = "{}\n";
    live.artifacts["/etc/toy/vendor.json"] = "{}\n";
    const p = planDevice({ device, desired, live }, toyDriver(["file:/etc/toy/old.json"]));
    expect(p.files.map((f) => [f.action, f.path])).toEqual([["delete", "/etc/toy/old.json"]]);
  });

  it("shows a running WireGuard key that is not the one git records (a rotation) as a change", () => {
    const git = { "wg-b": KEY_C };
    const p = planDevice({ device, desired, live: liveOf(desired), publicKeys: git }, toyDriver());
    expect(p.status).toBe("changes");
    expect(p.changes).toEqual([
      {
        device: "router-a",
        path: "wireguard[wg-b].public_key",
        action: "update",
        before: "j/miH2I9YXQ9m09gxeqElEm7enQqe9f37VWtV2f/Zgw=",
        after: KEY_C,
      },
    ]);
  });

  it("orders devices by name, keeps per-device errors, and is a JSON round trip", () => {
    const b = { ...device, name: "router-b" };
    const result = plan(
      [
        {
          device: b,
          desired,
          live: { error: { kind: "ConnectionError", message: "router-b: connection refused" } },
        },
        { device, desired, live: liveOf({}) },
      ],
      { origin: "memory", drivers: { debian: toyDriver() }, now },
    );
    expect(result.devices.map((d) => [d.device, d.status])).toEqual([
      ["router-a", "changes"],
      ["router-b", "error"],
    ]);
    expect(result.createdAt).toBe("2026-11-25T12:00:00.000Z");
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("is deterministic", () => {
    const a = plan([{ device, desired, live: liveOf({}) }], {
      origin: "m",
      drivers: { debian: toyDriver() },
      now,
    });
    const b = plan([{ device, desired, live: liveOf({}) }], {
      origin: "m",
      drivers: { debian: toyDriver() },
      now,
    });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
