// The Linux backing's pure parts: the bird2 configuration made from the simulated configuration,
// and the parsers of what bird and wg report (outputs as bird 2.0.12 and wg printed them in the
// lab), which must drop what does not look right rather than pass it on.
import { describe, expect, it } from "vitest";
import type { Backing } from "../../sim/routeros/backing.ts";
import { birdConfig } from "../../sim/routeros/bird-config.ts";
import { bytes } from "../../sim/routeros/linux-backing.ts";
import {
  parseBgpProtocols,
  parseOspfNeighbors,
  parseRoutes,
  parseWgDump,
} from "../../sim/routeros/live-parse.ts";
import { SimRouter } from "../../sim/routeros/router.ts";

const TOWER = [
  "/interface bridge add name=loopback",
  "/interface wireguard add name=wg-core",
  "/ip address add address=192.0.2.198/32 interface=loopback",
  "/routing ospf instance add name=v2 router-id=192.0.2.198",
  "/routing ospf area add name=bb instance=v2 area-id=0.0.0.0",
  "/routing ospf interface-template add area=bb interfaces=wg-core type=ptp cost=100 hello-interval=10s dead-interval=40s",
  "/routing ospf interface-template add area=bb interfaces=loopback passive",
  "/routing bgp connection add name=core as=64500 local.address=192.0.2.198 local.role=ibgp remote.address=192.0.2.196 remote.as=64500",
  "/ip route add dst-address=192.0.2.0/24 blackhole",
];

describe("bird configuration from the simulated configuration", () => {
  it("renders OSPF (ptp, passive as stub), iBGP and static routes, with a kernel export", () => {
    const r = new SimRouter();
    for (const l of TOWER) expect(r.run(l).ok, l).toBe(true);
    const conf = birdConfig(r.engine.store);
    expect(conf).toMatch(/^router id 192\.0\.2\.198;$/m);
    expect(conf).toMatch(/protocol ospf v2 ospf\d+ \{/);
    expect(conf).toMatch(/interface "wg-core" \{[^}]*cost 100;[^}]*hello 10;[^}]*dead 40;[^}]*type ptp;/);
    expect(conf).toMatch(/interface "loopback" \{[^}]*stub yes;/);
    expect(conf).toMatch(/local 192\.0\.2\.198 as 64500;\n {2}neighbor 192\.0\.2\.196 as 64500;/);
    expect(conf).toMatch(/route 192\.0\.2\.0\/24 blackhole;/);
    expect(conf).toMatch(
      /protocol kernel kernel4 \{\n {2}ipv4 \{ import none; export where source ~ \[ RTS_OSPF/,
    );
  });

  it("leaves out an OSPF instance without an area (bird refuses one; RouterOS runs nothing)", () => {
    const r = new SimRouter();
    r.run("/routing ospf instance add name=v2 router-id=192.0.2.198");
    expect(birdConfig(r.engine.store)).not.toMatch(/protocol ospf/);
  });
});

describe("parsing what the daemons report", () => {
  it("OSPF neighbours", () => {
    const out = [
      "BIRD 2.0.12 ready.",
      "ospf1:",
      "Router ID   \tPri\t     State     \tDTime\tInterface  Router IP",
      "192.0.2.196 \t  1\tFull/PtP  \t32.359\twg-core    203.0.113.8",
      "999.0.2.1 \t  1\tFull/PtP  \t32.359\twg-core    203.0.113.8",
      "192.0.2.197 \t  1\tFull/PtP  \t32.359\twg;rm -rf 203.0.113.8",
    ].join("\n");
    expect(parseOspfNeighbors(out)).toEqual([
      {
        proto: "ospf1",
        routerId: "192.0.2.196",
        priority: 1,
        state: "Full",
        interface: "wg-core",
        address: "203.0.113.8",
      },
    ]);
  });

  it("BGP protocols", () => {
    const out = [
      "BIRD 2.0.12 ready.",
      "Name       Proto      Table      State  Since         Info",
      "bgp1       BGP        ---        up     01:03:32.640  Established   ",
      "  BGP state:          Established",
      "    Neighbor address: 192.0.2.196",
      "    Neighbor AS:      64500",
      "    Local AS:         64500",
      "    Neighbor ID:      192.0.2.196",
      "ospf1      OSPF       master4    up     01:03:14.828  Running",
    ].join("\n");
    expect(parseBgpProtocols(out)).toEqual([
      {
        proto: "bgp1",
        state: "Established",
        since: "01:03:32.640",
        neighborAddress: "192.0.2.196",
        neighborAs: "64500",
        localAs: "64500",
        neighborId: "192.0.2.196",
      },
    ]);
  });

  it("routes, the primary one marked", () => {
    const out = [
      "Table master4:",
      "192.0.2.196/32       unicast [ospf1 01:03:30.062] * I (150/100) [192.0.2.196]",
      "\tvia 203.0.113.8 on wg-core",
      "203.0.113.8/31       unicast [direct4 01:03:14.469] * (240)",
      "\tdev wg-core",
      "                     unicast [ospf1 01:03:20.063] I (150/100) [192.0.2.198]",
      "\tdev wg-core",
    ].join("\n");
    expect(parseRoutes(out)).toEqual([
      {
        prefix: "192.0.2.196/32",
        proto: "ospf1",
        primary: true,
        kind: "unicast",
        gateway: "203.0.113.8",
        interface: "wg-core",
      },
      { prefix: "203.0.113.8/31", proto: "direct4", primary: true, kind: "unicast", interface: "wg-core" },
      { prefix: "203.0.113.8/31", proto: "ospf1", primary: false, kind: "unicast", interface: "wg-core" },
    ]);
  });

  it("wg dump: peers with a handshake time and byte counts; junk dropped", () => {
    const key = "L4Dn1PPdLgLwkEdPJ87G5+ZflBoht0Q+RxXT1MBo0BU=";
    const out = [
      `privkey\t${key}\t13231\toff`,
      `${key}\t(none)\t198.51.100.70:51821\t0.0.0.0/0\t1764464610\t2458\t2424\t25`,
      "not-a-key\t(none)\t(none)\t0.0.0.0/0\t1\t2\t3\toff",
    ].join("\n");
    expect(parseWgDump(out)).toEqual([
      { publicKey: key, endpoint: "198.51.100.70:51821", latestHandshake: 1764464610, rx: 2458, tx: 2424 },
    ]);
    expect([bytes(180), bytes(5427), bytes(3 * 1024 * 1024)]).toEqual(["180", "5.3KiB", "3MiB"]);
  });
});

describe("operational menus", () => {
  it("without a backing: present, and empty", () => {
    const r = new SimRouter();
    expect(r.run("/routing ospf neighbor print terse").output).toBe("");
    expect(r.run("/routing bgp session print terse").output).toBe("");
    expect(r.run("/routing ospf neighbor print").ok).toBe(true);
  });

  it("with a backing: its rows, RouterOS's flags, the dot shorthand, peers' runtime values", () => {
    const backing: Backing = {
      sync: () => {},
      ospfNeighbors: () => [
        {
          instance: "v2",
          "router-id": "192.0.2.196",
          address: "203.0.113.8",
          interface: "wg-core",
          state: "Full",
        },
      ],
      bgpSessions: () => [
        {
          name: "core-1",
          "remote.address": "192.0.2.196",
          "remote.as": "64500",
          "local.role": "ibgp",
          established: "yes",
        },
      ],
      routes: () => [
        {
          dynamic: "yes",
          active: "yes",
          ospf: "yes",
          "dst-address": "192.0.2.196/32",
          gateway: "203.0.113.8%wg-core",
          distance: "110",
        },
      ],
      wireguardPeer: () => ({ rx: "180", tx: "92", "last-handshake": "20s" }),
    };
    const r = new SimRouter({ backing });
    r.run("/interface wireguard add name=wg-core");
    r.run(
      `/interface wireguard peers add interface=wg-core public-key="L4Dn1PPdLgLwkEdPJ87G5+ZflBoht0Q+RxXT1MBo0BU="`,
    );
    r.run("/ip route add dst-address=10.0.0.0/8 gateway=203.0.113.8");
    expect(r.run("/routing ospf neighbor print terse").output).toBe(
      "0 instance=v2 router-id=192.0.2.196 address=203.0.113.8 interface=wg-core state=Full\n",
    );
    expect(r.run("/routing bgp session print terse").output).toBe(
      "0 E name=core-1 remote.address=192.0.2.196 .as=64500 local.role=ibgp\n",
    );
    const routes = r.run("/ip route print terse").output.split("\n");
    expect(routes[0]).toMatch(/^0 As dst-address=10\.0\.0\.0\/8 /);
    expect(routes[1]).toMatch(
      /^1 DAo dst-address=192\.0\.2\.196\/32 gateway=203\.0\.113\.8%wg-core distance=110/,
    );
    expect(r.run("/interface wireguard peers print terse").output).toMatch(
      / rx=180 tx=92 last-handshake=20s\n$/,
    );
    // runtime values are state: never exported
    expect(r.run("/export").output).not.toMatch(/last-handshake|rx=/);
  });
});
