// From a parsed export to the shared model: what maps, what stays unmanaged, what is owned,
// and that no secret survives.
import { describe, expect, it } from "vitest";
import { liveStateFromExport, wireguardPublicKey } from "../../../reconciler/drivers/routeros/live-state.ts";
import { parseExport } from "../../../reconciler/drivers/routeros/parse-export.ts";
import {
  COMPACT_OLD_HEADER,
  CORE_KEY,
  PRIVATE_KEY,
  PUBLIC_KEY,
  TOWER_CONVERGED,
  WITH_UNMANAGED,
} from "./fixtures.ts";

const live = (text: string) => liveStateFromExport(parseExport(text));

describe("liveStateFromExport", () => {
  it("maps the converged tower into the model", () => {
    const l = live(TOWER_CONVERGED);
    expect(l.state).toEqual({
      interfaces: [
        {
          name: "bridge-sector",
          kind: "bridge",
          description: "customer sector",
          addresses: ["198.51.100.25/29"],
        },
        {
          name: "loopback",
          kind: "bridge",
          description: "loopback (a bridge without ports)",
          addresses: ["192.0.2.198/32"],
        },
      ],
      wireguard: [
        {
          name: "wg-core",
          listen_port: 13231,
          mtu: 1420,
          description: "link core-tower to core-1",
          addresses: ["203.0.113.9/31"],
          peers: [
            {
              public_key: CORE_KEY,
              description: "core-1 wg-tower",
              allowed_ips: ["0.0.0.0/0", "::/0"],
              endpoint: "198.51.100.70:51821",
              persistent_keepalive: 25,
            },
          ],
        },
      ],
      ospf: {
        router_id: "192.0.2.198",
        instances: [
          {
            name: "default-v2",
            version: 2,
            router_id: "192.0.2.198",
            areas: [
              {
                id: "0.0.0.0",
                interfaces: [
                  { name: "bridge-sector", passive: true },
                  { name: "loopback", passive: true },
                  { name: "wg-core", type: "ptp", cost: 100 },
                ],
              },
            ],
          },
        ],
      },
      bgp: {
        asn: 64500,
        router_id: "192.0.2.198",
        neighbors: [
          {
            address: "192.0.2.196",
            remote_asn: 64500,
            description: "core-1 route reflector",
            update_source: "192.0.2.198",
          },
        ],
      },
    });
    expect(l.owned).toEqual([
      "bgp",
      "interfaces[bridge-sector]",
      "interfaces[loopback]",
      "ospf",
      "wireguard[wg-core]",
    ]);
    expect(l.unmanaged.map((u) => u.text)).toEqual([
      "/ip dns set servers=192.0.2.53",
      "/system identity set name=tower-1",
    ]);
  });

  it("derives the WireGuard public key from the private key and keeps no private key anywhere", () => {
    expect(wireguardPublicKey(PRIVATE_KEY)).toBe(PUBLIC_KEY);
    expect(wireguardPublicKey("not a key")).toBeUndefined();
    const l = live(COMPACT_OLD_HEADER);
    expect(l.publicKeys).toEqual({ "wg-core": PUBLIC_KEY });
    const { inventory, ...kept } = l;
    expect(JSON.stringify(kept)).not.toContain(PRIVATE_KEY);
    expect(JSON.stringify([...inventory.interfaces.values()])).not.toContain(PRIVATE_KEY);
    expect(l.canonical).toContain('private-key="<redacted>"');
  });

  it("reduces a preshared key, an OSPF auth key and a BGP TCP-MD5 key to 'one is set'", () => {
    const l = live(`/interface wireguard add name=wg0 private-key="${PRIVATE_KEY}"
/interface wireguard peers add allowed-address=192.0.2.0/24 interface=wg0 preshared-key="c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=" public-key="${CORE_KEY}"
/routing ospf instance add name=v2 router-id=192.0.2.1
/routing ospf area add instance=v2 name=bb
/routing ospf interface-template add area=bb auth=md5 auth-id=3 auth-key=hunter2hunter2 interfaces=wg0 type=ptp
/routing bgp connection add as=64500 name=c remote.address=192.0.2.2 .as=64501 tcp-md5-key=s3cr3tpass
`);
    expect(l.state.wireguard?.[0]?.peers[0]?.preshared_key_env).toBe("SECRET_SET");
    expect(l.state.ospf?.instances[0]?.areas[0]?.interfaces?.[0]?.authentication).toEqual({
      type: "cryptographic",
      key_id: 3,
      password_env: "SECRET_SET",
    });
    expect(l.state.bgp?.neighbors[0]?.password_env).toBe("SECRET_SET");
    const { inventory: _items, ...kept } = l;
    const text = JSON.stringify(kept);
    for (const secret of ["hunter2hunter2", "s3cr3tpass", "c2VjcmV0c2VjcmV0"])
      expect(text).not.toContain(secret);
  });

  it("keeps what the model cannot read as unmanaged items, never as model state", () => {
    const l = live(WITH_UNMANAGED);
    expect(l.state.interfaces).toEqual([{ name: "br-lan", kind: "bridge", addresses: ["192.0.2.1/24"] }]);
    expect(l.state.static_routes).toEqual([{ prefix: "198.51.100.0/24", via: "192.0.2.254" }]);
    expect(l.state.firewall).toEqual({
      rules: [
        {
          description: "block telnet",
          action: "block",
          ip_version: "ipv4",
          protocol: "tcp",
          destination_port: 23,
        },
      ],
    });
    expect(l.state.ospf).toBeUndefined();
    expect(l.unmanaged.map((u) => [u.text, u.properties])).toEqual([
      ["/interface bridge add name=br-lan protocol-mode=none", ["protocol-mode=none"]],
      ["/ip pool add name=dhcp ranges=192.0.2.100-192.0.2.200", undefined],
      ["/routing ospf interface-template add area=nowhere interfaces=br-lan", undefined],
      [
        '/ip firewall filter add action=accept chain=input comment="allow ssh" dst-port=22 protocol=tcp',
        undefined,
      ],
      [
        "/ip firewall filter add action=fasttrack-connection chain=forward connection-state=established,related",
        undefined,
      ],
      ["/ip route add dst-address=203.0.113.0/24 gateway=192.0.2.254 routing-table=other", undefined],
      [
        '/system scheduler add interval=1d name=nightly on-event="/system script run backup" start-time=03:00:00',
        undefined,
      ],
    ]);
    expect(l.owned).toEqual([]);
  });

  it("maps OSPF areas, versions, redistribution, routing ids and multi-interface templates", () => {
    const l = live(`/routing id add id=192.0.2.9 name=rid
/routing ospf instance add name=v3 redistribute=connected,static,dhcp router-id=rid version=3
/routing ospf area add area-id=0.0.0.1 instance=v3 name=a1 type=stub
/routing ospf interface-template add area=a1 dead-interval=20s hello-interval=5s interfaces=ether1,ether2 retransmit-interval=2s type=ptp
`);
    expect(l.state.ospf).toEqual({
      router_id: "192.0.2.9",
      instances: [
        {
          name: "v3",
          version: 3,
          router_id: "192.0.2.9",
          redistribute: ["connected", "static"],
          areas: [
            {
              id: "0.0.0.1",
              stub: true,
              interfaces: [
                { name: "ether1", type: "ptp", hello: 5, dead: 20, retransmit: 2 },
                { name: "ether2", type: "ptp", hello: 5, dead: 20, retransmit: 2 },
              ],
            },
          ],
        },
      ],
    });
    // dhcp is a redistribution source the model has no word for.
    expect(l.unmanaged.some((u) => u.properties?.includes("redistribute=connected,static,dhcp"))).toBe(true);
  });

  it("maps IPv6 addresses, routes with interface gateways, blackholes and forwarding", () => {
    const l = live(`/ipv6 address add address=2001:db8:0:0::1/64 interface=ether1
/ip route add blackhole dst-address=192.0.2.0/24 distance=250
/ipv6 route add dst-address=2001:db8:1::/48 gateway=2001:db8::2%ether1
/ip settings set ip-forward=no
`);
    expect(l.state.interfaces).toEqual([{ name: "ether1", kind: "ethernet", addresses: ["2001:db8::1/64"] }]);
    expect(l.state.static_routes).toEqual([
      { prefix: "192.0.2.0/24", blackhole: true, distance: 250 },
      { prefix: "2001:db8:1::/48", via: "2001:db8::2", interface: "ether1" },
    ]);
    expect(l.state.forwarding).toEqual({ ipv4: false });
  });

  it("merges a tcp rule and its udp twin into the model's tcp/udp rule", () => {
    const l = live(`/ip firewall filter add action=accept chain=forward comment=dns dst-port=53 protocol=tcp
/ip firewall filter add action=accept chain=forward comment=dns dst-port=53 protocol=udp
`);
    expect(l.state.firewall?.rules).toEqual([
      { description: "dns", action: "pass", ip_version: "ipv4", protocol: "tcp/udp", destination_port: 53 },
    ]);
  });
});
