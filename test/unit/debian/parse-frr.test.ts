// FRR configuration text: real `show running-config` output of FRR 8.4.4 and frr.conf files,
// hand edits kept as raw, secrets never kept.
import { describe, expect, it } from "vitest";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import { parseFrrConf } from "../../../reconciler/drivers/debian/parse-frr.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { example, fixture, frrEdge } from "./helpers.ts";

/** The routing sections as the planner compares them: normalized with the device's WireGuard names. */
function routing(intent: DeviceIntent, parsed: ReturnType<typeof parseFrrConf>) {
  const state: DeviceIntent = {
    routing_daemon: "frr",
    ...(intent.wireguard ? { wireguard: intent.wireguard } : {}),
    ...(intent.interfaces ? { interfaces: intent.interfaces } : {}),
  };
  if (parsed.ospf) state.ospf = parsed.ospf;
  if (parsed.bgp) state.bgp = parsed.bgp;
  if (parsed.static_routes) state.static_routes = parsed.static_routes;
  if (parsed.raw) state.raw = { frr: parsed.raw };
  const n = normalizeDebian(state);
  return { ospf: n.ospf, bgp: n.bgp, static_routes: n.static_routes, raw: n.raw };
}

const want = (intent: DeviceIntent) => {
  const n = normalizeDebian(intent);
  return { ospf: n.ospf, bgp: n.bgp, static_routes: n.static_routes, raw: n.raw };
};

describe("FRR 8.4.4 running-config", () => {
  it("core-1: what FRR runs after loading the rendered frr.conf equals the desired state", async () => {
    const repo = await example();
    const intent = repo.expanded["core-1"] as DeviceIntent;
    const parsed = parseFrrConf(fixture("core-1-running-config.txt"));
    expect(routing(intent, parsed)).toEqual(want(intent));
    // The header, version, defaults, hostname and service lines are not drift.
    expect(parsed.unrecognized).toEqual(["log syslog informational"]);
  });

  it("the edge case: OSPFv2 and v3, authentication (redacted), static routes, IPv6 BGP, a route-map", () => {
    const intent = frrEdge();
    const parsed = parseFrrConf(fixture("edge-running-config.txt"));
    expect(routing(intent, parsed)).toEqual(want(intent));
    expect(parsed.raw).toBe("log syslog informational\nroute-map RM permit 10\n set metric 5\n");
  });

  it("keeps lines it does not model in raw, inside their block, as FRR text", () => {
    const text = fixture("core-1-running-config.txt")
      .replace(" ip ospf cost 100\n", " ip ospf cost 100\n ip ospf priority 0\n ip ospf bfd\n")
      .replace(" bgp cluster-id 192.0.2.196\n", " bgp cluster-id 192.0.2.196\n bgp log-neighbor-changes\n")
      .replace(
        "  neighbor 192.0.2.198 next-hop-self\n",
        "  neighbor 192.0.2.198 next-hop-self\n  neighbor 192.0.2.198 soft-reconfiguration inbound\n",
      )
      .replace("router ospf\n", "router ospf\n log-adjacency-changes detail\n")
      .replace("!\nend", "!\nline vty\n exec-timeout 0 0\nexit\n!\nend");
    const parsed = parseFrrConf(text);
    expect(parsed.raw).toBe(
      [
        "log syslog informational",
        "interface wg-tower",
        " ip ospf priority 0",
        " ip ospf bfd",
        "router bgp 64500",
        " bgp log-neighbor-changes",
        " address-family ipv4 unicast",
        "  neighbor 192.0.2.198 soft-reconfiguration inbound",
        " exit-address-family",
        "router ospf",
        " log-adjacency-changes detail",
        "line vty",
        " exec-timeout 0 0",
        "",
      ].join("\n"),
    );
    // The modeled lines of the same blocks are still read.
    const wgTower = parsed.ospf?.instances[0]?.areas[0]?.interfaces?.find((i) => i.name === "wg-tower");
    expect(wgTower?.cost).toBe(100);
    expect(parsed.bgp?.neighbors).toHaveLength(2);
  });

  it("a hand-changed cost reads as the new cost", async () => {
    const repo = await example();
    const intent = repo.expanded["core-1"] as DeviceIntent;
    const parsed = parseFrrConf(
      fixture("core-1-running-config.txt").replace("ip ospf cost 100", "ip ospf cost 150"),
    );
    const expected = want(intent);
    const iface = expected.ospf?.instances[0]?.areas[0]?.interfaces?.find((i) => i.name === "wg-tower");
    if (!iface) throw new Error("core-1 has no wg-tower");
    iface.cost = 150;
    expect(routing(intent, parsed)).toEqual(expected);
  });

  it("never keeps a secret, redacted or not", () => {
    const text = fixture("edge-running-config.txt")
      .replaceAll("(hidden)", "S3cr3tValue")
      .replace("router ospf6\n", "router ospf6\n area 0.0.0.9 authentication keychain K\n")
      .replace(
        "!\nend",
        "!\nkey chain K\n key 1\n  key-string S3cr3tValue\n exit\nexit\n!\nenable password S3cr3tValue\n!\nend",
      );
    const parsed = parseFrrConf(text);
    expect(JSON.stringify(parsed)).not.toContain("S3cr3tValue");
    expect(parsed.bgp?.neighbors.find((n) => n.address === "2001:db8::2")?.password_env).toBe("SECRET_SET");
  });

  it("the legacy passive-interface form and the interface-level form read the same", () => {
    const legacy = parseFrrConf(
      "interface loop0\n ip ospf area 0.0.0.0\nexit\n!\nrouter ospf\n ospf router-id 192.0.2.1\n passive-interface loop0\nexit\n",
    );
    const modern = parseFrrConf(
      "interface loop0\n ip ospf area 0.0.0.0\n ip ospf passive\nexit\n!\nrouter ospf\n ospf router-id 192.0.2.1\nexit\n",
    );
    expect(legacy.ospf).toEqual(modern.ospf);
    expect(legacy.unrecognized).toEqual([]);
  });

  it("frr.conf with the raw section: the section is raw verbatim, the rest is modeled", () => {
    const parsed = parseFrrConf(
      [
        "! Managed by reconciler for x",
        "frr defaults traditional",
        "hostname x",
        "!",
        "! --- raw frr from the desired state: begin ---",
        "ip prefix-list PL seq 5 permit 192.0.2.0/24",
        "! --- raw frr from the desired state: end ---",
        "",
      ].join("\n"),
    );
    expect(parsed.raw).toBe("ip prefix-list PL seq 5 permit 192.0.2.0/24\n");
    expect(parsed.unrecognized).toEqual([]);
  });
});
