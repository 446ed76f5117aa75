// Dijkstra over one OSPF area with equal-cost multipath: for every router reached, the distance
// and the set of the source's own adjacencies (first hops) that start a shortest path to it.
import type { Adjacency, Area } from "./topology.ts";

export interface Reached {
  dist: number;
  first: Adjacency[];
}

/** Outgoing adjacencies per router: built once per area, reused by every source's SPF. */
export type AreaGraph = Map<string, Adjacency[]>;

export function areaGraph(area: Area): AreaGraph {
  const g: AreaGraph = new Map();
  for (const a of area.adjacencies) {
    let out = g.get(a.from);
    if (!out) {
      out = [];
      g.set(a.from, out);
    }
    out.push(a);
  }
  return g;
}

function union(a: Adjacency[], b: Adjacency[]): Adjacency[] {
  if (a === b) return a;
  const out = a.slice();
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** A binary heap of (distance, router). */
class Heap {
  private d: number[] = [];
  private r: string[] = [];
  get size(): number {
    return this.d.length;
  }
  push(dist: number, router: string): void {
    let i = this.d.length;
    this.d.push(dist);
    this.r.push(router);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.d[p] as number) <= dist) break;
      this.d[i] = this.d[p] as number;
      this.r[i] = this.r[p] as string;
      i = p;
    }
    this.d[i] = dist;
    this.r[i] = router;
  }
  pop(): [number, string] {
    const top: [number, string] = [this.d[0] as number, this.r[0] as string];
    const ld = this.d.pop() as number;
    const lr = this.r.pop() as string;
    const n = this.d.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && (this.d[l + 1] as number) < (this.d[l] as number) ? l + 1 : l;
        if ((this.d[c] as number) >= ld) break;
        this.d[i] = this.d[c] as number;
        this.r[i] = this.r[c] as string;
        i = c;
      }
      this.d[i] = ld;
      this.r[i] = lr;
    }
    return top;
  }
}

/** Shortest paths from source inside the area; the source itself is at distance 0 with no first hop. */
export function spf(graph: AreaGraph, source: string): Map<string, Reached> {
  const best = new Map<string, Reached>([[source, { dist: 0, first: [] }]]);
  const done = new Set<string>();
  const heap = new Heap();
  heap.push(0, source);
  while (heap.size > 0) {
    const [d, u] = heap.pop();
    if (done.has(u)) continue;
    done.add(u);
    const fu = (best.get(u) as Reached).first;
    for (const e of graph.get(u) ?? []) {
      const nd = d + e.cost;
      const via = u === source ? [e] : fu;
      const cur = best.get(e.to);
      if (!cur || nd < cur.dist) {
        best.set(e.to, { dist: nd, first: via });
        heap.push(nd, e.to);
      } else if (nd === cur.dist && !done.has(e.to)) {
        cur.first = union(cur.first, via);
      }
    }
  }
  return best;
}
