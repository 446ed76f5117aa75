// Lockout analysis: a jump cutting the tunnel or route the devices behind it are reached over.
import { describe, expect, it } from "vitest";
import { lockoutFindings } from "../../../reconciler/rollout/lockout.ts";
import { testDevice } from "../../helpers/device.ts";
import {
  coreState,
  KEY_TOWER,
  liveStates,
  planOf,
  repoOf,
  type States,
  towerState,
} from "./lockout-fixture.ts";

/** The link between core-1 and tower-1 removed: each end's tunnel goes. */
const withoutTunnel = (): States => ({
  "core-1": { ...coreState(), wireguard: [], ospf: undefined },
  "tower-1": { ...towerState(), wireguard: [] },
});

const run = (desired: States, waves: string[][], live: States = liveStates()) =>
  lockoutFindings({ repo: repoOf(desired), plan: planOf(desired, live), waves });

const TOWER_PATH = "reconciler → core-1 → tower-1 (198.51.100.150:22)";
const TUNNEL_GONE = "wireguard[wg-tower]: 203.0.113.4/31 → (deleted)";

describe("lockoutFindings: the via chain", () => {
  it("refuses removing the tunnel when the jump goes first", () => {
    expect(run(withoutTunnel(), [["core-1"], ["tower-1"]])).toEqual([
      {
        device: "tower-1",
        path: TOWER_PATH,
        change: TUNNEL_GONE,
        message:
          "core-1 cuts its path to tower-1 (198.51.100.150): tower-1 could not be reached afterwards (the inventory still reaches it this way): " +
          "keep the old path until the new one is live, or take tower-1 out of the inventory, or pass --allow-lockout",
      },
    ]);
  });

  it("refuses removing the tunnel when both ends are in the same wave", () => {
    expect(run(withoutTunnel(), [["core-1", "tower-1"]]).map((f) => [f.device, f.change])).toEqual([
      ["tower-1", TUNNEL_GONE],
    ]);
  });

  it("refuses removing the tunnel farthest first too: tower-1 would be cut off afterwards", () => {
    expect(run(withoutTunnel(), [["tower-1"], ["core-1"]]).map((f) => [f.device, f.change])).toEqual([
      ["tower-1", TUNNEL_GONE],
    ]);
  });

  it("refuses removing the tunnel when the rollout applies only the jump", () => {
    const found = run(withoutTunnel(), [["core-1"]]);
    expect(found.map((f) => [f.device, f.change])).toEqual([["tower-1", TUNNEL_GONE]]);
    expect(found[0]?.message).toMatch(/this rollout does not even apply it/);
  });

  it("refuses renumbering the jump's end of the tunnel the far host is connected on", () => {
    const desired = liveStates();
    const tunnel = desired["core-1"]?.wireguard?.[0];
    if (tunnel) tunnel.addresses = ["203.0.113.8/31"];
    const repo = repoOf(desired, { "tower-1": { host: "203.0.113.5" } });
    const findings = lockoutFindings({
      repo,
      plan: planOf(desired, liveStates()),
      waves: [["core-1"], ["tower-1"]],
    });
    expect(findings.map((f) => [f.path, f.change])).toEqual([
      [
        "reconciler → core-1 → tower-1 (203.0.113.5:22)",
        "wireguard[wg-tower].addresses: 203.0.113.4/31 → 203.0.113.8/31",
      ],
    ]);
  });

  it("follows a static route to the far host: a blackhole cuts it", () => {
    const route = (blackhole: boolean): States => ({
      ...liveStates(),
      "core-1": {
        ...coreState(),
        static_routes: [
          blackhole
            ? { prefix: "198.51.100.150/32", blackhole: true }
            : { prefix: "198.51.100.150/32", via: "203.0.113.5" },
        ],
      },
    });
    expect(run(route(true), [["core-1"], ["tower-1"]], route(false)).map((f) => f.change)).toEqual([
      "static_routes[198.51.100.150/32]: via 203.0.113.5 → blackhole",
    ]);
  });

  it("follows a static route to the far host: its next hop no longer connected cuts it", () => {
    const live: States = {
      ...liveStates(),
      "core-1": { ...coreState(), static_routes: [{ prefix: "198.51.100.128/25", via: "203.0.113.5" }] },
    };
    const desired: States = { ...live, "core-1": { ...live["core-1"], wireguard: [] } };
    expect(run(desired, [["core-1"], ["tower-1"]], live).map((f) => f.change)).toEqual([TUNNEL_GONE]);
  });

  it("refuses withdrawing the static route to the far host, even with the tunnel still up", () => {
    const live: States = {
      ...liveStates(),
      "core-1": { ...coreState(), static_routes: [{ prefix: "198.51.100.150/32", via: "203.0.113.5" }] },
    };
    // An empty list, not an absent one: a section git does not describe is not the reconciler's to delete.
    const desired: States = { ...live, "core-1": { ...coreState(), static_routes: [] } };
    expect(run(desired, [["core-1"], ["tower-1"]], live).map((f) => f.change)).toEqual([
      "static_routes[198.51.100.150/32]: via 203.0.113.5 → (removed)",
    ]);
    expect(run(desired, [["tower-1"], ["core-1"]], live).map((f) => f.change)).toEqual([
      "static_routes[198.51.100.150/32]: via 203.0.113.5 → (removed)",
    ]);
  });

  it("refuses a new blackhole route that swallows the far host", () => {
    const desired: States = {
      ...liveStates(),
      "core-1": { ...coreState(), static_routes: [{ prefix: "198.51.100.128/25", blackhole: true }] },
    };
    expect(run(desired, [["core-1"], ["tower-1"]]).map((f) => f.change)).toEqual([
      "static_routes[198.51.100.128/25]: (none) → blackhole",
    ]);
  });

  it("accepts replacing the static route to the far host by another one", () => {
    const live: States = {
      ...liveStates(),
      "core-1": { ...coreState(), static_routes: [{ prefix: "198.51.100.150/32", via: "203.0.113.5" }] },
    };
    const desired: States = {
      ...live,
      "core-1": { ...coreState(), static_routes: [{ prefix: "198.51.100.128/25", via: "203.0.113.5" }] },
    };
    expect(run(desired, [["core-1"], ["tower-1"]], live)).toEqual([]);
  });

  it("carries a cut down the chain: every device behind the jump applied with or after it", () => {
    const desired = withoutTunnel();
    desired["tower-1"]?.interfaces?.push({
      name: "eth1",
      kind: "ethernet",
      addresses: ["198.51.100.161/28"],
    });
    const live = liveStates();
    live["tower-1"]?.interfaces?.push({ name: "eth1", kind: "ethernet", addresses: ["198.51.100.161/28"] });
    const repo = repoOf(desired);
    repo.devices["cpe-1"] = testDevice("cpe-1", { host: "198.51.100.170", via: "tower-1" });
    const plan = planOf(desired, live);
    const at = (waves: string[][]) => lockoutFindings({ repo, plan, waves }).map((f) => [f.device, f.path]);
    expect(at([["core-1"], ["tower-1", "cpe-1"]])).toEqual([
      ["tower-1", TOWER_PATH],
      ["cpe-1", "reconciler → core-1 → tower-1 → cpe-1 (198.51.100.170:22)"],
    ]);
    // Whatever the order: both would be cut off afterwards.
    expect(at([["cpe-1"], ["core-1"], ["tower-1"]])).toEqual([
      ["cpe-1", "reconciler → core-1 → tower-1 → cpe-1 (198.51.100.170:22)"],
      ["tower-1", TOWER_PATH],
    ]);
    expect(at([["cpe-1"], ["tower-1"], ["core-1"]])).toHaveLength(2);
  });

  it("knows an unnumbered tunnel by its peer's key: removing it is refused in any order", () => {
    const unnumbered = (): States => {
      const s = liveStates();
      const core = s["core-1"]?.wireguard?.[0];
      const tower = s["tower-1"]?.wireguard?.[0];
      if (core) core.addresses = ["fe80::1/64"];
      if (tower) tower.addresses = ["fe80::2/64"];
      return s;
    };
    const desired = { ...unnumbered(), "core-1": { ...coreState(), wireguard: [], ospf: undefined } };
    expect(run(desired, [["core-1"], ["tower-1"]], unnumbered()).map((f) => f.change)).toEqual([
      "wireguard[wg-tower]: fe80::1/64 → (deleted)",
    ]);
    expect(run(desired, [["tower-1"], ["core-1"]], unnumbered())).toHaveLength(1);
  });

  it("refuses dropping the far device's peer from the tunnel that carries its path", () => {
    const live = liveStates();
    const desired = liveStates();
    const tunnel = desired["core-1"]?.wireguard?.[0];
    if (tunnel) tunnel.addresses = ["fe80::1/64"];
    const liveTunnel = live["core-1"]?.wireguard?.[0];
    if (liveTunnel) liveTunnel.addresses = ["fe80::1/64"];
    for (const s of [live, desired]) {
      const t = s["tower-1"]?.wireguard?.[0];
      if (t) t.addresses = ["fe80::2/64"];
    }
    if (tunnel) tunnel.peers = [];
    expect(run(desired, [["core-1"], ["tower-1"]], live).map((f) => f.change)).toEqual([
      `wireguard[wg-tower].peers[${KEY_TOWER}]: (deleted)`,
    ]);
  });

  it("does not judge a hop it cannot see: the far host shares no net, tunnel or static route with the jump", () => {
    const desired = withoutTunnel();
    const repo = repoOf(desired);
    repo.publicKeys = {};
    // tower-1 is reached over its loopback only, through routes the routing daemons learn.
    const live = liveStates();
    const towerTunnel = live["tower-1"]?.wireguard?.[0];
    if (towerTunnel) towerTunnel.addresses = [];
    const findings = lockoutFindings({ repo, plan: planOf(desired, live), waves: [["core-1"], ["tower-1"]] });
    expect(planOf(desired, live).devices[0]?.changes.map((c) => c.path)).toContain("wireguard[wg-tower]");
    expect(findings).toEqual([]);
  });
});
