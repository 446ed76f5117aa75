import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateHealth as evaluate } from "../../../../reconciler/apply/evaluate-health.ts";
import { type HealthOutputs, observeHealth } from "../../../../reconciler/drivers/debian/apply/health.ts";
import {
  parseBirdOspfNeighbors,
  parseFrrOspfNeighbors,
  parseIpRoutes,
  parseLatestHandshakes,
} from "../../../../reconciler/drivers/debian/apply/parse-health.ts";
import type { HealthProbe } from "../../../../reconciler/drivers/health.ts";
import type { DeviceIntent } from "../../../../reconciler/schema/device.ts";

const rec = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const PEER = "4BHxTWngE2Y+/KF4OnyoMf2jVXMsBsAUNQi+GWomHgw=";

describe("parsers of recorded outputs", () => {
  it("birdc show ospf neighbors", () => {
    expect(parseBirdOspfNeighbors(rec("birdc-ospf-neighbors-mesh4.txt"))).toEqual([
      { routerId: "192.0.2.194", state: "Full/PtP", interface: "wg-b", instance: "mesh4" },
    ]);
    expect(parseBirdOspfNeighbors(rec("birdc-ospf-neighbors-mesh6.txt"))[0]?.instance).toBe("mesh6");
    // birdc -v reply codes are stripped; no OSPF running is no neighbour.
    expect(
      parseBirdOspfNeighbors("0001 BIRD 2.0.12 ready.\n8003 There is no OSPF protocol running\n"),
    ).toEqual([]);
  });

  it("wg show IF latest-handshakes", () => {
    expect(parseLatestHandshakes(rec("wg-latest-handshakes.txt"))).toEqual(new Map([[PEER, 1795619429]]));
    expect(parseLatestHandshakes(`${PEER}\t0\n`).get(PEER)).toBe(0);
  });

  it("ip -j route show: host routes get their length, proto kept", () => {
    const v4 = parseIpRoutes(rec("ip-j-route.json"), 4);
    expect(v4).toContainEqual({ prefix: "192.0.2.64/26", protocol: "bird" });
    expect(v4).toContainEqual({ prefix: "192.0.2.194/32", protocol: "bird" });
    expect(v4).toContainEqual({ prefix: "192.0.2.0/26", protocol: "kernel" });
    const v6 = parseIpRoutes(rec("ip-6-j-route.json"), 6);
    expect(v6.some((r) => r.prefix === "2001:db8:b::/64" && r.protocol === "bird")).toBe(true);
    expect(parseIpRoutes('[{"type":"blackhole","dst":"default","protocol":"static"}]', 4)).toEqual([
      { prefix: "0.0.0.0/0", protocol: "static", type: "blackhole" },
    ]);
  });

  it("FRR ospf and ospf6 neighbour JSON (shapes of FRR 8.4's ospf_vty.c / ospf6_neighbor.c)", () => {
    const v2 = JSON.stringify({
      neighbors: {
        "192.0.2.197": [
          { priority: 1, state: "Full/-", address: "203.0.113.7", ifaceName: "wg-fw:203.0.113.6" },
        ],
      },
    });
    expect(parseFrrOspfNeighbors(v2, "ospf")).toEqual([
      { routerId: "192.0.2.197", state: "Full/-", interface: "wg-fw", instance: "ospf" },
    ]);
    const v3 = JSON.stringify({
      neighbors: [{ neighborId: "192.0.2.197", priority: 1, state: "Full", interfaceName: "wg-fw" }],
    });
    expect(parseFrrOspfNeighbors(v3, "ospf6")[0]).toEqual({
      routerId: "192.0.2.197",
      state: "Full",
      interface: "wg-fw",
      instance: "ospf6",
    });
    expect(parseFrrOspfNeighbors('{\n  "neighbors":{\n  }\n}\n', "ospf")).toEqual([]);
  });
});

describe("evaluateHealth", () => {
  const intent: DeviceIntent = {
    routing_daemon: "bird",
    ospf: {
      router_id: "192.0.2.193",
      instances: ["mesh4", "mesh6"].map((name) => ({
        name,
        version: 3,
        address_family: name === "mesh4" ? "ipv4" : "ipv6",
        areas: [{ id: "0.0.0.0", interfaces: [{ name: "wg-b" }] }],
      })),
    },
  } as DeviceIntent;
  const ospf: HealthProbe[] = [{ kind: "ospf-adjacency", interface: "wg-b", routerId: "192.0.2.194" }];
  const tunnel: HealthProbe[] = [{ kind: "wireguard-tunnel", interface: "wg-b", publicKey: PEER }];
  const routes: HealthProbe[] = ["192.0.2.64/26", "192.0.2.194/32", "2001:db8:b::/64", "192.0.2.0/26"].map(
    (prefix) => ({ kind: "route", prefix }),
  );
  /** Debian's collection of what the device printed, then the shared evaluator. */
  const evaluateHealth = (i: DeviceIntent, probes: HealthProbe[], out: HealthOutputs) =>
    evaluate(probes, observeHealth(i, probes, out));
  /** The device's outputs, with its clock 10 s after the commit and the tunnel's receive counters. */
  const outputs = (
    committedAt: number,
    rx: { atCommit: number; now: number } = { atCommit: 5000, now: 5000 },
  ) => {
    const m = new Map<string, { text: string; rc: string }>([
      ["now", { text: `${committedAt + 10}\n`, rc: "0" }],
      ["committed-at", { text: `${committedAt}\n`, rc: "0" }],
      ["transfer-at-commit", { text: `wg-b\t${PEER}\t${rx.atCommit}\t900\n`, rc: "0" }],
      ["wgrx:wg-b", { text: `${PEER}\t${rx.now}\t1200\n`, rc: "0" }],
      ["bird:mesh4", { text: rec("birdc-ospf-neighbors-mesh4.txt"), rc: "0" }],
      ["bird:mesh6", { text: rec("birdc-ospf-neighbors-mesh6.txt"), rc: "0" }],
      ["wg:wg-b", { text: rec("wg-latest-handshakes.txt"), rc: "0" }],
      ["route4", { text: rec("ip-j-route.json"), rc: "0" }],
      ["route6", { text: rec("ip-6-j-route.json"), rc: "0" }],
    ]);
    return { get: (n: string) => m.get(n) };
  };

  it("says what it expected and what it saw, per check", () => {
    const r = evaluateHealth(intent, [...ospf, ...tunnel, ...routes], outputs(1795619400));
    const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
    expect(byName["ospf neighbour 192.0.2.194 on wg-b"]).toMatchObject({
      ok: true,
      expected: "Full in mesh4, mesh6",
      seen: "mesh4: Full/PtP, mesh6: Full/PtP",
    });
    expect(byName[`wireguard tunnel wg-b peer ${PEER}`]?.ok).toBe(true);
    expect(byName["route 192.0.2.64/26"]?.ok).toBe(true);
    // A connected network is in the table but not from the routing daemon.
    expect(byName["route 192.0.2.0/26"]).toMatchObject({ ok: false, seen: "proto kernel" });
    expect(r.ok).toBe(false);
  });

  it("a handshake from before the commit does not count, even a recent one", () => {
    // The handshake came 71 s before the commit, 81 s before the device's clock: well within
    // WireGuard's 2-minute rekey window, yet it says nothing about the new configuration.
    const r = evaluateHealth(intent, [...ospf, ...tunnel], outputs(1795619500));
    expect(r.checks.find((c) => c.name.startsWith("wireguard"))).toMatchObject({
      ok: false,
      seen: "latest handshake at epoch 1795619429, 0 bytes received since the commit",
    });
  });

  it("packets received from the peer after the commit prove a tunnel that did not re-handshake", () => {
    const r = evaluateHealth(
      intent,
      [...ospf, ...tunnel],
      outputs(1795619500, { atCommit: 5000, now: 5148 }),
    );
    expect(r.checks.find((c) => c.name.startsWith("wireguard"))).toMatchObject({
      ok: true,
      seen: "latest handshake at epoch 1795619429, 148 bytes received since the commit",
    });
  });

  it("an instance without the adjacency fails the check", () => {
    const out = outputs(1);
    const r = evaluateHealth(intent, ospf, {
      get: (n) => (n === "bird:mesh6" ? { text: "BIRD 2.0.12 ready.\nmesh6:\n", rc: "0" } : out.get(n)),
    });
    expect(r.ok).toBe(false);
    expect(r.checks[0]?.seen).toBe("mesh4: Full/PtP");
  });
});
