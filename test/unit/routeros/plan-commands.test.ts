// The command plan: exact command lists, dependency order, idempotence, removal order, unmanaged
// items left alone, raw lines, and the example's core-tower link on tower-1.
import { describe, expect, it } from "vitest";
import { liveStateFromExport } from "../../../reconciler/drivers/routeros/live-state.ts";
import { normalizeRouteros } from "../../../reconciler/drivers/routeros/normalize.ts";
import { parseExport } from "../../../reconciler/drivers/routeros/parse-export.ts";
import { planCommands } from "../../../reconciler/drivers/routeros/plan-commands.ts";
import { expandLinks } from "../../../reconciler/intent/links.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { loadExample } from "../../helpers/example-repo.ts";
import { CORE_KEY, FRESH, TOWER_BEFORE_LINK, TOWER_CONVERGED, WITH_UNMANAGED } from "./fixtures.ts";

const live = (text: string) => liveStateFromExport(parseExport(text));
const lines = (desired: DeviceIntent, text: string) => planCommands(desired, live(text)).map((c) => c.line);

async function towerDesired(): Promise<DeviceIntent> {
  const { repo } = await loadExample();
  const tower = repo?.expanded["tower-1"];
  if (!tower) throw new Error("the example has no tower-1");
  return tower;
}

const PEER_FIND = `[ find where interface=wg-core and public-key="${CORE_KEY}" ]`;

describe("planCommands on the example's tower-1", () => {
  it("configures a fresh device in dependency order, WireGuard without a private key", async () => {
    expect(lines(await towerDesired(), FRESH)).toEqual([
      '/interface bridge add name=bridge-sector comment="customer sector [reconciler]"',
      '/interface bridge add name=loopback comment="loopback (a bridge without ports) [reconciler]"',
      '/interface wireguard add name=wg-core mtu=1420 comment="link core-tower to core-1 [reconciler]"',
      `/interface wireguard peers add interface=wg-core public-key="${CORE_KEY}" allowed-address=0.0.0.0/0,::/0 endpoint-address=198.51.100.70 endpoint-port=51821 persistent-keepalive=25s comment="core-1 wg-tower [reconciler]"`,
      "/ip address add address=198.51.100.25/29 interface=bridge-sector",
      "/ip address add address=192.0.2.198/32 interface=loopback",
      "/ip address add address=203.0.113.9/31 interface=wg-core",
      '/routing ospf instance add name=default-v2 router-id=192.0.2.198 comment="[reconciler]"',
      '/routing ospf area add name=default-v2-0.0.0.0 instance=default-v2 comment="[reconciler]"',
      '/routing ospf interface-template add area=default-v2-0.0.0.0 interfaces=bridge-sector comment="[reconciler]" passive',
      '/routing ospf interface-template add area=default-v2-0.0.0.0 interfaces=loopback comment="[reconciler]" passive',
      '/routing ospf interface-template add area=default-v2-0.0.0.0 interfaces=wg-core type=ptp cost=100 comment="[reconciler]"',
      '/routing bgp connection add name=peer-192.0.2.196 as=64500 router-id=192.0.2.198 remote.address=192.0.2.196 remote.as=64500 local.role=ibgp local.address=192.0.2.198 comment="core-1 route reflector [reconciler]"',
      "/system identity set name=tower-1",
      "/ip dns set servers=192.0.2.53",
    ]);
  });

  it("plans nothing once the device is as desired, and both sides normalize equal", async () => {
    const desired = await towerDesired();
    expect(lines(desired, TOWER_CONVERGED)).toEqual([]);
    expect(normalizeRouteros(live(TOWER_CONVERGED).state)).toEqual(normalizeRouteros(desired));
  });

  it("turns the core-tower link of links.yaml into the WireGuard and OSPF commands on tower-1", async () => {
    const { repo } = await loadExample();
    const link = repo?.links.find((l) => l.name === "core-tower");
    if (!repo || !link) throw new Error("the example has no core-tower link");
    const withoutLinks = (await loadExample({ "desired/links.yaml": "links: []\n" })).repo?.expanded[
      "tower-1"
    ];
    if (!withoutLinks) throw new Error("no tower-1");
    // Before the link: the tower as desired without it plans nothing.
    expect(lines(withoutLinks, TOWER_BEFORE_LINK)).toEqual([]);
    const expanded = expandLinks({ "tower-1": withoutLinks }, [link], repo.publicKeys).devices[
      "tower-1"
    ] as DeviceIntent;
    expect(lines(expanded, TOWER_BEFORE_LINK)).toEqual([
      '/interface wireguard add name=wg-core mtu=1420 comment="link core-tower to core-1 [reconciler]"',
      `/interface wireguard peers add interface=wg-core public-key="${CORE_KEY}" allowed-address=0.0.0.0/0,::/0 endpoint-address=198.51.100.70 endpoint-port=51821 persistent-keepalive=25s comment="core-1 wg-tower [reconciler]"`,
      "/ip address add address=203.0.113.9/31 interface=wg-core",
      '/routing ospf interface-template add area=default-v2-0.0.0.0 interfaces=wg-core type=ptp cost=100 comment="[reconciler]"',
    ]);
  });

  it("removes last, in reverse dependency order, what git no longer describes", async () => {
    const desired = structuredClone(await towerDesired());
    delete desired.bgp;
    desired.wireguard = [];
    const area = desired.ospf?.instances[0]?.areas[0];
    if (area) area.interfaces = area.interfaces?.filter((i) => i.name !== "wg-core");
    expect(lines(desired, TOWER_CONVERGED)).toEqual([
      "/routing ospf interface-template remove [ find where area=default-v2-0.0.0.0 and interfaces=wg-core ]",
      "/routing bgp connection remove [ find where name=peer-192.0.2.196 ]",
      "/ip address remove [ find where address=203.0.113.9/31 and interface=wg-core ]",
      `/interface wireguard peers remove ${PEER_FIND}`,
      "/interface wireguard remove [ find where name=wg-core ]",
    ]);
  });

  it("sets only the properties that differ, with hostile values quoted", async () => {
    const desired = structuredClone(await towerDesired());
    const ospf = desired.ospf?.instances[0]?.areas[0]?.interfaces ?? [];
    (ospf[2] as { cost?: number }).cost = 50;
    const peer = desired.wireguard?.[0]?.peers[0];
    if (peer) peer.persistent_keepalive = 30;
    const sector = desired.interfaces?.[1];
    if (sector) sector.description = "sector; [east] $x?";
    desired.bgp?.neighbors.push({ address: "192.0.2.197", remote_asn: 64501, description: "second" });
    expect(lines(desired, TOWER_CONVERGED)).toEqual([
      '/interface bridge set [ find where name=bridge-sector ] comment="sector; [east] \\$x\\? [reconciler]"',
      `/interface wireguard peers set ${PEER_FIND} persistent-keepalive=30s`,
      "/routing ospf interface-template set [ find where area=default-v2-0.0.0.0 and interfaces=wg-core ] cost=50",
      '/routing bgp connection add name=peer-192.0.2.197 as=64500 router-id=192.0.2.198 remote.address=192.0.2.197 remote.as=64501 local.role=ebgp comment="second [reconciler]"',
    ]);
  });

  it("clears what git no longer sets: an endpoint, a keepalive, an MTU, a description", async () => {
    const desired = structuredClone(await towerDesired());
    const peer = desired.wireguard?.[0]?.peers[0];
    if (peer) {
      delete peer.endpoint;
      delete peer.persistent_keepalive;
    }
    const sector = desired.interfaces?.[1];
    if (sector) delete sector.description;
    const converged = TOWER_CONVERGED.replace(
      'add comment="customer sector [reconciler]" name=bridge-sector',
      'add comment="customer sector [reconciler]" mtu=1400 name=bridge-sector',
    );
    expect(lines(desired, converged)).toEqual([
      '/interface bridge set [ find where name=bridge-sector ] mtu=auto comment="[reconciler]"',
      `/interface wireguard peers set ${PEER_FIND} endpoint-address="" endpoint-port=0 persistent-keepalive=0s`,
    ]);
  });

  it("takes a listen port RouterOS picked itself for an unset one, and sets one git names", async () => {
    const desired = structuredClone(await towerDesired());
    expect(lines(desired, TOWER_CONVERGED.replace("listen-port=13231", "listen-port=13232"))).toEqual([]);
    const wg = desired.wireguard?.[0];
    if (wg) wg.listen_port = 51820;
    expect(lines(desired, TOWER_CONVERGED)).toEqual([
      "/interface wireguard set [ find where name=wg-core ] listen-port=51820",
    ]);
  });

  it("enables what git names and someone disabled, instead of adding it twice", async () => {
    const disabled = TOWER_CONVERGED.replace(
      'add comment="customer sector [reconciler]" name=bridge-sector',
      'add comment="customer sector [reconciler]" disabled=yes name=bridge-sector',
    )
      .replace("endpoint-address=198.51.100.70", "disabled=yes endpoint-address=198.51.100.70")
      .replace("cost=100 disabled=no interfaces=wg-core", "cost=100 disabled=yes interfaces=wg-core")
      .replace(
        "add address=203.0.113.9/31 interface=wg-core",
        "add address=203.0.113.9/31 disabled=yes interface=wg-core",
      );
    expect(lines(await towerDesired(), disabled)).toEqual([
      "/interface bridge set [ find where name=bridge-sector ] disabled=no",
      `/interface wireguard peers set ${PEER_FIND} disabled=no`,
      "/ip address set [ find where address=203.0.113.9/31 and interface=wg-core ] disabled=no",
      "/routing ospf interface-template set [ find where area=default-v2-0.0.0.0 and interfaces=wg-core ] disabled=no",
    ]);
  });

  it("replaces a template whose passive flag changes (a flag, not a value)", async () => {
    const desired = structuredClone(await towerDesired());
    const lo = desired.ospf?.instances[0]?.areas[0]?.interfaces?.[0];
    if (lo) lo.passive = false;
    expect(lines(desired, TOWER_CONVERGED)).toEqual([
      "/routing ospf interface-template remove [ find where area=default-v2-0.0.0.0 and interfaces=loopback ]",
      '/routing ospf interface-template add area=default-v2-0.0.0.0 interfaces=loopback comment="[reconciler]"',
    ]);
  });

  it("sends a secret as a placeholder, never a value", async () => {
    const desired = structuredClone(await towerDesired());
    const peer = desired.wireguard?.[0]?.peers[0];
    if (peer) peer.preshared_key_env = "TOWER_PSK";
    const n = desired.bgp?.neighbors[0];
    if (n) n.password_env = "BGP_PASSWORD";
    expect(lines(desired, TOWER_CONVERGED)).toEqual([
      `/interface wireguard peers set ${PEER_FIND} preshared-key=@secret:TOWER_PSK@`,
      "/routing bgp connection set [ find where name=peer-192.0.2.196 ] tcp-md5-key=@secret:BGP_PASSWORD@",
    ]);
  });
});

describe("planCommands elsewhere", () => {
  it("never touches what the model cannot read, and never removes what it did not make", () => {
    const desired: DeviceIntent = {
      interfaces: [{ name: "br-lan", kind: "bridge", addresses: ["192.0.2.1/24"] }],
    };
    expect(lines(desired, WITH_UNMANAGED)).toEqual([]);
  });

  it("rewrites the model's filter rules in order when they differ, removing the old ones first", () => {
    const desired: DeviceIntent = {
      firewall: {
        rules: [
          {
            description: "rdp",
            action: "pass",
            protocol: "tcp",
            destination: "198.51.100.10",
            destination_port: 3389,
          },
          {
            description: "dns",
            action: "pass",
            protocol: "tcp/udp",
            destination_port: 53,
            interface: "ether1",
          },
        ],
      },
    };
    expect(lines(desired, WITH_UNMANAGED)).toEqual([
      '/ip firewall filter remove [ find where action=drop and chain=forward and comment="block telnet" and dst-port=23 and protocol=tcp ]',
      '/ip firewall filter add chain=forward action=accept protocol=tcp dst-address=198.51.100.10 dst-port=3389 comment="rdp [reconciler]"',
      '/ip firewall filter add chain=forward action=accept protocol=tcp in-interface=ether1 dst-port=53 comment="dns [reconciler]"',
      '/ip firewall filter add chain=forward action=accept protocol=udp in-interface=ether1 dst-port=53 comment="dns [reconciler]"',
    ]);
  });

  it("adds static routes and forwarding settings; identifies routes by prefix, never dynamic ones", () => {
    const desired: DeviceIntent = {
      static_routes: [
        { prefix: "198.51.100.0/24", via: "192.0.2.253" },
        { prefix: "203.0.113.128/25", blackhole: true, description: "sink" },
      ],
      forwarding: { ipv4: true, ipv6: false },
    };
    expect(lines(desired, WITH_UNMANAGED)).toEqual([
      "/ip route set [ find where dst-address=198.51.100.0/24 and routing-table=main and !dynamic ] gateway=192.0.2.253",
      '/ip route add dst-address=203.0.113.128/25 comment="sink [reconciler]" blackhole',
      "/ipv6 settings set forward=no",
    ]);
  });

  it("keeps raw lines in order, skips those the device already carries, refuses a second command", () => {
    const desired: DeviceIntent = {
      raw: {
        routeros: [
          "/ip pool add name=dhcp ranges=192.0.2.100-192.0.2.200",
          "/ip pool add name=guests ranges=192.0.2.50-192.0.2.60",
          '/system scheduler set [ find where name=nightly ] interval=1d on-event="/system script run backup"',
          "/system scheduler set [ find where name=nightly ] interval=2d",
        ],
      },
    };
    expect(lines(desired, WITH_UNMANAGED)).toEqual([
      "/ip pool add name=guests ranges=192.0.2.50-192.0.2.60",
      "/system scheduler set [ find where name=nightly ] interval=2d",
    ]);
    const hostile: DeviceIntent = {
      raw: { routeros: ["/ip dns set servers=192.0.2.53; /user add name=evil group=full"] },
    };
    expect(() => lines(hostile, FRESH)).toThrow(/raw.routeros: refusing .*; outside quotes/);
    const refused: string[] = [];
    expect(planCommands(hostile, live(FRESH), { onRefusedRaw: (_l, why) => refused.push(why) })).toEqual([]);
    expect(refused).toEqual(["a ; outside quotes (it would start another command)"]);
  });

  it("is deterministic and every line is one command", async () => {
    const desired = await towerDesired();
    const a = planCommands(desired, live(FRESH));
    const b = planCommands(structuredClone(desired), live(FRESH));
    expect(a).toEqual(b);
    for (const c of a) {
      expect(c.line).not.toMatch(/[\r\n]/);
      expect(c.description).not.toBe("");
    }
  });
});
