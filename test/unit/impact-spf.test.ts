// The routing model on synthetic topologies: rings, meshes, per-end costs, two areas, passive
// interfaces, a partition. Every expectation is worked out by hand from the costs.
import { describe, expect, it } from "vitest";
import { Walker } from "../../reconciler/impact/reach.ts";
import { computeRoutes } from "../../reconciler/impact/tables.ts";
import { named, network, router } from "./impact-net.ts";

const route = (n: ReturnType<typeof computeRoutes>, r: string, p: string) => n.tables.get(r)?.get(p);

describe("OSPF shortest paths", () => {
  it("takes both halves of an even ring to the opposite router (ECMP), at the sum of costs plus the stub's", () => {
    const net = network(named(4), [
      { a: "r1", b: "r2" },
      { a: "r2", b: "r3" },
      { a: "r3", b: "r4" },
      { a: "r4", b: "r1" },
    ]);
    const n = computeRoutes(net);
    const r = route(n, "r1", "192.0.2.3/32");
    expect(r?.source).toBe("ospf-intra");
    expect(r?.cost).toBe(30);
    expect(r?.nextHops).toEqual([
      { router: "r2", interface: "wg-r2" },
      { router: "r4", interface: "wg-r4" },
    ]);
    // A neighbour is reached directly only.
    expect(route(n, "r1", "192.0.2.2/32")?.nextHops).toEqual([{ router: "r2", interface: "wg-r2" }]);
  });

  it("prefers two cheap hops over one dear link, and the direct link in a full mesh of equal costs", () => {
    const tri = computeRoutes(
      network(named(3), [
        { a: "r1", b: "r2", cost: 10 },
        { a: "r2", b: "r3", cost: 20 },
        { a: "r1", b: "r3", cost: 50 },
      ]),
    );
    expect(route(tri, "r1", "192.0.2.3/32")).toMatchObject({ cost: 40, nextHops: [{ router: "r2" }] });
    const links = [];
    for (let i = 1; i <= 5; i++) for (let j = i + 1; j <= 5; j++) links.push({ a: `r${i}`, b: `r${j}` });
    const mesh = computeRoutes(network(named(5), links));
    for (let j = 2; j <= 5; j++)
      expect(route(mesh, "r1", `192.0.2.${j}/32`)).toMatchObject({
        cost: 20,
        nextHops: [{ router: `r${j}` }],
      });
  });

  it("uses the sending end's cost: a link dear one way is cheap the other", () => {
    const n = computeRoutes(
      network(named(3), [
        { a: "r1", b: "r2", cost: 10, costB: 100 },
        { a: "r1", b: "r3", cost: 30 },
        { a: "r3", b: "r2", cost: 30 },
      ]),
    );
    expect(route(n, "r1", "192.0.2.2/32")).toMatchObject({ cost: 20, nextHops: [{ router: "r2" }] });
    expect(route(n, "r2", "192.0.2.1/32")).toMatchObject({ cost: 70, nextHops: [{ router: "r3" }] });
  });

  it("carries routes between two areas through the border router, and prefers intra-area whatever the cost", () => {
    const routers = {
      r1: router(1),
      r2: router(2, {}, ["0.0.0.0", "0.0.0.1"]),
      r3: router(3, {}, ["0.0.0.1"]),
    };
    const n = computeRoutes(
      network(routers, [
        { a: "r1", b: "r2", cost: 10 },
        { a: "r2", b: "r3", cost: 10, area: "0.0.0.1" },
      ]),
    );
    expect(route(n, "r1", "192.0.2.3/32")).toMatchObject({
      source: "ospf-inter",
      cost: 30,
      nextHops: [{ router: "r2" }],
    });
    expect(route(n, "r3", "192.0.2.1/32")).toMatchObject({
      source: "ospf-inter",
      cost: 30,
      nextHops: [{ router: "r2" }],
    });
    // r1 joins area 1 through a dear direct link to r3: an intra-area path, which beats the cheap
    // inter-area one through r2 (1 + 1 + 10 = 12) whatever the cost.
    const routers2 = {
      r1: router(1, {}, ["0.0.0.0", "0.0.0.1"]),
      r2: router(2, {}, ["0.0.0.0", "0.0.0.1"]),
      r3: router(3, {}, ["0.0.0.1"]),
    };
    const n2 = computeRoutes(
      network(routers2, [
        { a: "r1", b: "r2", cost: 1 },
        { a: "r2", b: "r3", cost: 1, area: "0.0.0.1" },
        { a: "r1", b: "r3", cost: 100, area: "0.0.0.1" },
      ]),
    );
    expect(route(n2, "r1", "192.0.2.3/32")).toMatchObject({
      source: "ospf-intra",
      cost: 110,
      nextHops: [{ router: "r3" }],
    });
  });

  it("advertises a passive interface's network without forming an adjacency over it", () => {
    const r1 = router(1, {
      interfaces: [
        { name: "lo", kind: "loopback", addresses: ["192.0.2.1/32"] },
        { name: "lan", kind: "bridge", addresses: ["203.0.113.1/26"] },
      ],
    });
    const area = r1.ospf?.instances[0]?.areas[0];
    if (area) area.interfaces = [{ name: "lan", passive: true, cost: 7 }];
    const n = computeRoutes(network({ r1, r2: router(2) }, [{ a: "r1", b: "r2", cost: 10 }]));
    expect(route(n, "r2", "203.0.113.0/26")).toMatchObject({ cost: 17, nextHops: [{ router: "r1" }] });
    expect(n.adjacencies).toEqual([{ link: "r1-r2", a: "r1", b: "r2" }]);
  });

  it("has no route across a partition, and the walk says so", () => {
    const net = network(named(4), [
      { a: "r1", b: "r2" },
      { a: "r3", b: "r4" },
    ]);
    const n = computeRoutes(net);
    expect(route(n, "r1", "192.0.2.3/32")).toBeUndefined();
    expect(new Walker(n.tables).path("r1", "192.0.2.3/32").reach).toBe("no-route");
    expect(new Walker(n.tables).path("r1", "192.0.2.2/32").reach).toBe("delivered");
    expect(new Walker(n.tables).through("r1", "192.0.2.2/32")).toEqual(["r2"]);
  });

  it("keeps OSPFv2 and OSPFv3 apart: no adjacency between different versions", () => {
    const r2 = router(2);
    const inst = r2.ospf?.instances[0];
    if (inst) inst.version = 3;
    if (inst) inst.address_family = "ipv4";
    const n = computeRoutes(network({ r1: router(1), r2 }, [{ a: "r1", b: "r2" }]));
    expect(n.adjacencies).toEqual([]);
    expect(route(n, "r1", "192.0.2.2/32")).toBeUndefined();
  });
});
