// Dijkstra over one OSPF area with equal-cost multipath: for every router reached, the distance
// and the set of the source's own adjacencies (first hops) that start a shortest path to it.
import type { Adjacency, Area } from "./topology.ts";

export interface Reached {
  dist: number;
  first: Adjacency[];
  /** The routers just before this one on some shortest path (the DAG, walked back for a path). */
  pred: string[];
}

/** Outgoing adjacencies per router: built once per area, reused by every source's SPF. */
export type AreaGraph = Map<string, Adjacency[]>;

export function areaGraph(area: Area, reversed = false): AreaGraph {
  const g: AreaGraph = new Map();
  for (const a of area.adjacencies) {
    // Reversed: the edges turned around (same cost), so one SPF gives every router's distance TO a router.
    const e = reversed ? { ...a, from: a.to, to: a.from } : a;
    let out = g.get(e.from);
    if (!out) {
      out = [];
      g.set(e.from, out);
    }
    out.push(e);
  }
  return g;
}

/** Every router on a shortest path from the SPF's source to target (source excluded), sorted. */
export function onPaths(reached: SpfResult, target: string): string[] {
  const seen = new Set<string>();
  const todo = [target];
  while (todo.length > 0) {
    const r = todo.pop() as string;
    const at = reached.get(r);
    if (!at || at.dist === 0 || seen.has(r)) continue;
    seen.add(r);
    todo.push(...at.pred);
  }
  return [...seen].sort();
}

function union(a: Adjacency[], b: Adjacency[]): Adjacency[] {
  if (a === b) return a;
  const out = a.slice();
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** A binary heap of (distance, router index). */
class Heap {
  private d: number[] = [];
  private r: number[] = [];
  get size(): number {
    return this.d.length;
  }
  push(dist: number, router: number): void {
    let i = this.d.length;
    this.d.push(dist);
    this.r.push(router);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.d[p] as number) <= dist) break;
      this.d[i] = this.d[p] as number;
      this.r[i] = this.r[p] as number;
      i = p;
    }
    this.d[i] = dist;
    this.r[i] = router;
  }
  pop(): number {
    const top = this.r[0] as number;
    const ld = this.d.pop() as number;
    const lr = this.r.pop() as number;
    const n = this.d.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const c = l + 1 < n && (this.d[l + 1] as number) < (this.d[l] as number) ? l + 1 : l;
        if ((this.d[c] as number) >= ld) break;
        this.d[i] = this.d[c] as number;
        this.r[i] = this.r[c] as number;
        i = c;
      }
      this.d[i] = ld;
      this.r[i] = lr;
    }
    return top;
  }
}

/** The graph with routers numbered, built once per graph: SPF runs on arrays, not on name lookups. */
interface Compiled {
  index: Map<string, number>;
  names: string[];
  out: Adjacency[][];
  to: Int32Array[];
  /** Incoming edges (from, cost): predecessors are found from the distances after the run. */
  inc: { from: number; cost: number }[][];
}

const compiled = new WeakMap<AreaGraph, Compiled>();

function compile(graph: AreaGraph): Compiled {
  const known = compiled.get(graph);
  if (known) return known;
  const index = new Map<string, number>();
  const names: string[] = [];
  const number = (name: string) => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      index.set(name, i);
      names.push(name);
    }
    return i;
  };
  for (const [from, edges] of graph) {
    number(from);
    for (const e of edges) number(e.to);
  }
  const out: Adjacency[][] = names.map((n) => graph.get(n) ?? []);
  const to = out.map((edges) => Int32Array.from(edges, (e) => index.get(e.to) as number));
  const inc: Compiled["inc"] = names.map(() => []);
  out.forEach((edges, from) => {
    edges.forEach((e, k) => inc[(to[from] as Int32Array)[k] as number]?.push({ from, cost: e.cost }));
  });
  const c = { index, names, out, to, inc };
  compiled.set(graph, c);
  return c;
}

/** One SPF's answer: for a router, its distance, first hops and predecessors (undefined: unreached). */
export interface SpfResult {
  get(router: string): Reached | undefined;
  /** The distance alone, without building a view (hot loops). */
  dist(router: string): number | undefined;
  /** The first hops alone, without building a view. */
  first(router: string): Adjacency[] | undefined;
}

/** Shortest paths from source inside the area; the source itself is at distance 0 with no first hop. */
export function spf(graph: AreaGraph, source: string): SpfResult {
  const c = compile(graph);
  const src = c.index.get(source);
  const self: Reached = { dist: 0, first: [], pred: [] };
  if (src === undefined)
    return {
      get: (r) => (r === source ? self : undefined),
      dist: (r) => (r === source ? 0 : undefined),
      first: (r) => (r === source ? [] : undefined),
    };
  const n = c.names.length;
  const dist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const done = new Uint8Array(n);
  const srcEdges = c.out[src] as Adjacency[];
  // First hops as a bit set over the source's own adjacencies while there are at most 30 of them
  // (no array per router and tie: the hot part of the shortcut), as arrays beyond.
  const small = srcEdges.length <= 30;
  const mask = new Int32Array(small ? n : 0);
  const firstArr: Adjacency[][] = new Array(small ? 0 : n);
  dist[src] = 0;
  if (!small) firstArr[src] = [];
  const heap = new Heap();
  heap.push(0, src);
  while (heap.size > 0) {
    const u = heap.pop();
    if (done[u]) continue;
    done[u] = 1;
    const du = dist[u] as number;
    const edges = c.out[u] as Adjacency[];
    const tos = c.to[u] as Int32Array;
    for (let k = 0; k < edges.length; k++) {
      const e = edges[k] as Adjacency;
      const v = tos[k] as number;
      const nd = du + e.cost;
      const dv = dist[v] as number;
      if (nd > dv || (nd === dv && done[v])) continue;
      if (small) {
        const via = u === src ? 1 << k : (mask[u] as number);
        if (nd < dv) mask[v] = via;
        else mask[v] = (mask[v] as number) | via;
      } else {
        const via = u === src ? [e] : (firstArr[u] as Adjacency[]);
        firstArr[v] = nd < dv ? via : union(firstArr[v] as Adjacency[], via);
      }
      if (nd < dv) {
        dist[v] = nd;
        heap.push(nd, v);
      }
    }
  }
  const fromMask = new Map<number, Adjacency[]>();
  const firstOf = (i: number): Adjacency[] => {
    if (!small) return firstArr[i] as Adjacency[];
    const m = mask[i] as number;
    let l = fromMask.get(m);
    if (!l) {
      l = srcEdges.filter((_, k) => (m & (1 << k)) !== 0);
      fromMask.set(m, l);
    }
    return l;
  };
  const views: (Reached | undefined)[] = new Array(n);
  const at = (router: string): number | undefined => {
    const i = c.index.get(router);
    return i === undefined || dist[i] === Number.POSITIVE_INFINITY ? undefined : i;
  };
  return {
    dist(router: string): number | undefined {
      const i = at(router);
      return i === undefined ? (router === source ? 0 : undefined) : (dist[i] as number);
    },
    first(router: string): Adjacency[] | undefined {
      const i = at(router);
      return i === undefined ? (router === source ? [] : undefined) : firstOf(i);
    },
    get(router: string): Reached | undefined {
      const i = c.index.get(router);
      if (i === undefined) return router === source ? self : undefined;
      if (dist[i] === Number.POSITIVE_INFINITY) return undefined;
      let v = views[i];
      if (!v) {
        const d = dist[i] as number;
        const pred = new Set<string>();
        for (const e of c.inc[i] ?? [])
          if ((dist[e.from] as number) + e.cost === d) pred.add(c.names[e.from] as string);
        v = { dist: d, first: firstOf(i), pred: [...pred] };
        views[i] = v;
      }
      return v;
    },
  };
}
