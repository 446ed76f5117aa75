// The shortcut for cost and adjacency changes (fast.ts) must give exactly what the full
// computation gives: compared on rings, meshes, grids with equal-cost paths, cuts and partitions.
import { describe, expect, it } from "vitest";
import { fastImpact } from "../../reconciler/impact/fast.ts";
import { fullImpact } from "../../reconciler/impact/impact.ts";
import { named, network, type SynLink } from "./impact-net.ts";

function grid(w: number, h: number, cost: (i: number) => number): SynLink[] {
  const out: SynLink[] = [];
  let k = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x + 1;
      if (x + 1 < w) out.push({ a: `r${i}`, b: `r${i + 1}`, cost: cost(k++) });
      if (y + 1 < h) out.push({ a: `r${i}`, b: `r${i + w}`, cost: cost(k++) });
    }
  return out;
}

describe("the shortcut for cost and adjacency changes", () => {
  const cases: [string, SynLink[], SynLink[], string[]][] = [
    [
      "a cost raised in a grid of equal costs",
      grid(4, 4, () => 10),
      grid(4, 4, (k) => (k === 3 ? 50 : 10)),
      [],
    ],
    [
      "a cost lowered, making a new equal-cost path",
      grid(4, 3, (k) => (k % 3 === 0 ? 20 : 10)),
      grid(4, 3, (k) => (k === 0 ? 10 : k % 3 === 0 ? 20 : 10)),
      [],
    ],
    ["several costs at once", grid(3, 3, (k) => 10 + k), grid(3, 3, (k) => 30 - k), []],
    ["a link cut", grid(4, 4, () => 10), grid(4, 4, () => 10), ["r6-r7"]],
    ["a partition", grid(4, 1, () => 10), grid(4, 1, () => 10), ["r2-r3"]],
  ];
  it.each(cases)("%s", (_what, before, after, cut) => {
    const n = Math.max(...before.flatMap((l) => [Number(l.a.slice(1)), Number(l.b.slice(1))]));
    const b = network(named(n), before);
    const a = network(named(n), after);
    const fast = fastImpact(b, a, { links: cut });
    expect(fast).toBeDefined();
    const full = fullImpact(b, a, { links: cut });
    expect(full.changes.length).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });

  it("steps aside when more than adjacencies differ (a static route)", () => {
    const b = network(
      named(3),
      grid(3, 1, () => 10),
    );
    const routers = named(3);
    routers.r1 = { ...routers.r1, static_routes: [{ prefix: "203.0.113.0/24", blackhole: true }] };
    expect(
      fastImpact(
        b,
        network(
          routers,
          grid(3, 1, () => 10),
        ),
      ),
    ).toBeUndefined();
  });
});
