// Self-consistency: the commands planned from a fresh device, read back as the export they would
// leave (an `add`/`set` line is valid terse export syntax), plan nothing more. A check of the
// driver against itself only; the simulator's contract suite checks it against RouterOS's rules.
import { describe, expect, it } from "vitest";
import { liveStateFromExport } from "../../../reconciler/drivers/routeros/live-state.ts";
import { normalizeRouteros } from "../../../reconciler/drivers/routeros/normalize.ts";
import { parseExport } from "../../../reconciler/drivers/routeros/parse-export.ts";
import { planCommands } from "../../../reconciler/drivers/routeros/plan-commands.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { CORE_KEY, FRESH, OTHER_KEY } from "./fixtures.ts";

function converge(desired: DeviceIntent) {
  const first = planCommands(desired, liveStateFromExport(parseExport(FRESH)));
  expect(first.every((c) => / (add|set) /.test(c.line))).toBe(true);
  const after = liveStateFromExport(parseExport(`${FRESH}${first.map((c) => c.line).join("\n")}\n`));
  return { first, after, again: planCommands(desired, after) };
}

const RICH: DeviceIntent = {
  interfaces: [
    { name: "br-core", kind: "bridge", mtu: 1500, addresses: ["192.0.2.1/32", "2001:db8::1/128"] },
    { name: "dummy0", kind: "dummy", description: 'odd "name" $x' },
    { name: "vlan10", kind: "vlan", vlan: { parent: "ether1", id: 10 }, addresses: ["198.51.100.1/26"] },
    { name: "lo", kind: "loopback", addresses: ["192.0.2.9/32"] },
  ],
  wireguard: [
    {
      name: "wg-a",
      listen_port: 51820,
      addresses: ["203.0.113.0/31", "fe80::1/64"],
      peers: [
        {
          public_key: CORE_KEY,
          allowed_ips: ["0.0.0.0/0", "::/0"],
          endpoint: "[2001:db8::2]:51820",
          preshared_key_env: "PSK_A",
        },
        { public_key: OTHER_KEY, allowed_ips: ["203.0.113.64/26"], persistent_keepalive: 25 },
      ],
    },
  ],
  ospf: {
    router_id: "192.0.2.1",
    instances: [
      {
        name: "v2",
        version: 2,
        redistribute: ["static", "connected"],
        areas: [
          {
            id: "0.0.0.0",
            interfaces: [
              {
                name: "wg-a",
                type: "ptp",
                cost: 10,
                hello: 5,
                dead: 20,
                retransmit: 2,
                authentication: { type: "cryptographic", key_id: 2, password_env: "OSPF_KEY" },
              },
              { name: "br-core", passive: true },
            ],
          },
          { id: "0.0.0.1", stub: true, interfaces: [{ name: "vlan10", type: "broadcast" }] },
        ],
      },
      { name: "v3", version: 3, areas: [{ id: "0.0.0.0", interfaces: [{ name: "wg-a", type: "ptp" }] }] },
    ],
  },
  bgp: {
    asn: 64500,
    router_id: "192.0.2.1",
    cluster_id: "192.0.2.1",
    neighbors: [
      {
        address: "192.0.2.2",
        remote_asn: 64500,
        route_reflector_client: true,
        update_source: "192.0.2.1",
        password_env: "BGP_KEY",
        address_families: ["ipv4", "ipv6"],
      },
      { address: "2001:db8::9", remote_asn: 64511, next_hop_self: true, description: "transit" },
    ],
  },
  static_routes: [
    { prefix: "198.51.100.128/25", via: "198.51.100.2", distance: 5 },
    { prefix: "203.0.113.192/26", blackhole: true },
    { prefix: "2001:db8:1::/48", via: "fe80::2", interface: "wg-a" },
  ],
  forwarding: { ipv4: true, ipv6: false },
  firewall: {
    rules: [
      {
        description: "rdp",
        action: "pass",
        protocol: "tcp",
        destination: "198.51.100.10",
        destination_port: 3389,
        interface: "wg-a",
      },
      { description: "dns", action: "pass", protocol: "tcp/udp", ip_version: "any", destination_port: 53 },
      { description: "ping", action: "pass", protocol: "icmp", ip_version: "any", log: true },
      { description: "rest", action: "block", protocol: "any", source: "any", enabled: false },
    ],
  },
  raw: { routeros: ["/ip dns set servers=192.0.2.53", "/system identity set name=rich"] },
};

describe("planned commands converge", () => {
  it("for the example's tower-1", async () => {
    const { repo } = await loadExample();
    const { first, again, after } = converge(repo?.expanded["tower-1"] ?? {});
    expect(first.length).toBe(15);
    expect(again).toEqual([]);
    expect(after.owned).toEqual([
      "bgp",
      "interfaces[bridge-sector]",
      "interfaces[loopback]",
      "ospf",
      "wireguard[wg-core]",
    ]);
  });

  it("for a state using every section the driver maps", () => {
    const { again, after } = converge(RICH);
    expect(again).toEqual([]);
    expect(normalizeRouteros(after.state)).toEqual(
      normalizeRouteros({
        ...RICH,
        interfaces: [...(RICH.interfaces ?? []), { name: "ether1", kind: "ethernet" }],
      }),
    );
  });
});
