// The impact of a change: paths moved, prefixes made unreachable (refused) or withdrawn, new
// single points of failure; static routes and iBGP through a route reflector; the example network.
import { describe, expect, it } from "vitest";
import { impactOf, refusals } from "../../reconciler/impact/impact.ts";
import { singlePoints } from "../../reconciler/impact/spof.ts";
import { computeRoutes } from "../../reconciler/impact/tables.ts";
import { loadExample } from "../helpers/example-repo.ts";
import { named, network, router } from "./impact-net.ts";

const ring = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ a: `r${i + 1}`, b: `r${((i + 1) % n) + 1}` }));

describe("impact between two revisions", () => {
  it("reports a cost change as moved paths, before and after, and nothing unreachable", () => {
    const before = network(named(3), [
      { a: "r1", b: "r2", cost: 10 },
      { a: "r2", b: "r3", cost: 20 },
      { a: "r1", b: "r3", cost: 50 },
    ]);
    const after = network(named(3), [
      { a: "r1", b: "r2", cost: 10 },
      { a: "r2", b: "r3", cost: 60 },
      { a: "r1", b: "r3", cost: 50 },
    ]);
    const i = impactOf(before, after);
    const c = i.changes.find((x) => x.router === "r1" && x.prefix === "192.0.2.3/32");
    expect(c).toMatchObject({
      kind: "moved",
      before: { reach: "delivered", cost: 40, via: ["r2 wg-r2"] },
      after: { reach: "delivered", cost: 60, via: ["r3 wg-r3"] },
    });
    expect(refusals(i)).toEqual([]);
    expect(i.totals.unreachable).toBe(0);
  });

  it("finds the prefixes a cut makes unreachable, and the links that become single points of failure", () => {
    const before = network(named(4), ring(4));
    const i = impactOf(before, before, { links: ["r4-r1"] });
    // The ring opened into a line: r1 still reaches everything, through r2.
    expect(i.totals.unreachable).toBe(0);
    expect(i.newSinglePoints.links).toEqual(["r1-r2", "r2-r3", "r3-r4"]);
    expect(i.newSinglePoints.devices).toEqual(["r2", "r3"]);
    const line = network(named(4), ring(4).slice(0, 3));
    const cut = impactOf(line, line, { links: ["r2-r3"] });
    const lost = refusals(cut).map((c) => `${c.router} ${c.prefix}`);
    expect(lost).toContain("r1 192.0.2.3/32");
    expect(lost).toContain("r4 192.0.2.1/32");
    expect(lost).not.toContain("r1 192.0.2.2/32");
    expect(cut.changes.find((c) => c.router === "r1" && c.prefix === "192.0.2.4/32")?.after.reach).toBe(
      "no-route",
    );
  });

  it("calls a prefix removed from git withdrawn, not unreachable", () => {
    const before = network(named(2), [{ a: "r1", b: "r2" }]);
    const r2 = router(2, { interfaces: [{ name: "lo", kind: "loopback", addresses: [] }] });
    const area = r2.ospf?.instances[0]?.areas[0];
    if (area) area.stub_networks = [];
    const after = network({ r1: router(1), r2 }, [{ a: "r1", b: "r2" }]);
    const i = impactOf(before, after);
    expect(i.changes.find((c) => c.router === "r1" && c.prefix === "192.0.2.2/32")?.kind).toBe("withdrawn");
    expect(refusals(i)).toEqual([]);
  });

  it("lists what it does not model, and what it met and did not follow", () => {
    const r1 = router(1, { bgp: { asn: 64500, neighbors: [{ address: "203.0.113.9", remote_asn: 64501 }] } });
    const net = network({ r1, r2: router(2) }, [{ a: "r1", b: "r2" }]);
    const i = impactOf(net, net);
    expect(i.notModelled.join("\n")).toMatch(/virtual links/);
    expect(i.notModelled).toContain("r1: the eBGP session to 203.0.113.9 (AS 64501) is not modelled");
  });
});

describe("single points of failure", () => {
  it("finds none in a ring, every link and inner device in a line, none for parallel links", () => {
    expect(singlePoints(ring(5).map((l, i) => ({ link: `l${i}`, ...l })))).toEqual({
      links: [],
      devices: [],
    });
    expect(
      singlePoints([
        { link: "x", a: "a", b: "b" },
        { link: "y", a: "b", b: "c" },
      ]),
    ).toEqual({ links: ["x", "y"], devices: ["b"] });
    expect(
      singlePoints([
        { link: "x1", a: "a", b: "b" },
        { link: "x2", a: "a", b: "b" },
      ]),
    ).toEqual({ links: [], devices: [] });
  });
});

describe("static routes and iBGP", () => {
  it("follows a static route to its neighbour, prefers it over OSPF, and stops at a blackhole", () => {
    const r1 = router(1, {
      static_routes: [
        { prefix: "192.0.2.3/32", via: "198.51.100.1" }, // r2's end of r1-r2
        { prefix: "203.0.113.0/24", blackhole: true },
      ],
    });
    const net = network({ r1, r2: router(2), r3: router(3) }, [
      { a: "r1", b: "r2", cost: 100 },
      { a: "r1", b: "r3", cost: 10 },
      { a: "r2", b: "r3", cost: 10 },
    ]);
    const n = computeRoutes(net);
    expect(n.tables.get("r1")?.get("192.0.2.3/32")).toMatchObject({
      source: "static",
      nextHops: [{ router: "r2", interface: "wg-r2" }],
    });
    const i = impactOf(net, net, { links: ["r1-r2"] });
    // The static route is followed: r1 sends r3's loopback to r2, which has it from OSPF.
    expect(i.changes.find((c) => c.router === "r1" && c.prefix === "192.0.2.3/32")).toMatchObject({
      kind: "unreachable",
      before: { reach: "delivered", source: "static", through: ["r2", "r3"] },
      // Cut under the tunnel, the static route stays and its traffic is lost, though OSPF has a path.
      after: { reach: "blackhole", source: "static" },
    });
    expect(n.tables.get("r1")?.get("203.0.113.0/24")?.blackhole).toBe(true);
  });

  it("reflects a client's prefix to the other client with the originator's next hop, forwarded by the IGP", () => {
    const bgp = (self: number, neighbours: number[], clients = false) => ({
      asn: 64500,
      neighbors: neighbours.map((n) => ({
        address: `192.0.2.${n}`,
        remote_asn: 64500,
        update_source: `192.0.2.${self}`,
        ...(clients ? { route_reflector_client: true, next_hop_self: true } : {}),
      })),
    });
    const r3 = router(3, {
      bgp: { ...bgp(3, [1]), announce: ["203.0.113.0/26"] },
      interfaces: [
        { name: "lo", kind: "loopback", addresses: ["192.0.2.3/32"] },
        { name: "lan", kind: "bridge", addresses: ["203.0.113.1/26"] },
      ],
    });
    const routers = { r1: router(1, { bgp: bgp(1, [2, 3], true) }), r2: router(2, { bgp: bgp(2, [1]) }), r3 };
    const net = network(routers, [
      { a: "r1", b: "r2", cost: 10 },
      { a: "r1", b: "r3", cost: 10 },
    ]);
    const n = computeRoutes(net);
    expect(n.tables.get("r2")?.get("203.0.113.0/26")).toMatchObject({
      source: "bgp",
      cost: 30,
      nextHops: [{ router: "r1", interface: "wg-r1" }],
      bgp: { nextHop: "192.0.2.3", origin: "r3" },
    });
    // Without the reflector's client flag, a non-client's route is not passed to a non-client.
    const plain = network({ ...routers, r1: router(1, { bgp: bgp(1, [2, 3]) }) }, [
      { a: "r1", b: "r2", cost: 10 },
      { a: "r1", b: "r3", cost: 10 },
    ]);
    expect(computeRoutes(plain).tables.get("r2")?.get("203.0.113.0/26")).toBeUndefined();
    // The session runs between loopbacks: cut r1-r3 and r2 loses the prefix with the session.
    const i = impactOf(net, net, { links: ["r1-r3"] });
    expect(i.changes.find((c) => c.router === "r2" && c.prefix === "203.0.113.0/26")?.kind).toBe(
      "unreachable",
    );
  });
});

describe("the example network", () => {
  it("routes C's LAN from router-a through router-b (10 + 20 beats 50), and core-1 reflects fw-1's pool to tower-1", async () => {
    const loaded = await loadExample();
    const repo = loaded.repo;
    if (!repo) throw new Error("the example does not load");
    const n = computeRoutes(repo);
    expect(n.tables.get("router-a")?.get("192.0.2.128/26")).toMatchObject({
      source: "ospf-intra",
      nextHops: [{ router: "router-b", interface: "wg-b" }],
    });
    expect(n.tables.get("tower-1")?.get("203.0.113.128/26")).toMatchObject({
      source: "bgp",
      nextHops: [{ router: "core-1", interface: "wg-core" }],
      bgp: { nextHop: "192.0.2.197", origin: "fw-1" },
    });
    const cut = impactOf(repo, repo, { links: ["core-tower"] });
    expect(refusals(cut).map((c) => `${c.router} ${c.prefix}`)).toContain("fw-1 198.51.100.24/29");
  });
});
