// OSPF routes of one domain: intra-area routes from each area's shortest-path tree (stub networks
// and interface prefixes, at the advertising end's cost), then inter-area routes through the area
// border routers (RFC 2328 16.2: an ABR summarises its areas' intra-area routes into the others,
// and a router in a non-backbone area reaches the rest through its ABRs). Intra-area routes win
// over inter-area ones whatever the cost; equal costs keep every next hop (ECMP).
import { type AreaGraph, areaGraph, type SpfResult, spf } from "./spf.ts";
import type { Adjacency, Domain } from "./topology.ts";

export const BACKBONE = "0.0.0.0";

export interface OspfRoute {
  cost: number;
  /** The router's own adjacencies that start a shortest path; empty: the router advertises it. */
  first: Adjacency[];
  area: string;
  kind: "intra" | "inter";
}

type Table = Map<string, OspfRoute>;

function offer(table: Table, prefix: string, cand: OspfRoute): void {
  const cur = table.get(prefix);
  if (!cur || cand.cost < cur.cost) {
    table.set(prefix, cand);
    return;
  }
  if (cand.cost > cur.cost) return;
  if (cur.first.length === 0 || cand.first.length === 0) {
    // Advertised by the router itself: it needs no next hop.
    if (cand.first.length === 0) table.set(prefix, cand);
    return;
  }
  const first = cur.first.slice();
  for (const e of cand.first) if (!first.includes(e)) first.push(e);
  table.set(prefix, { ...cur, first });
}

/** Each router's OSPF routes in the domain: router -> prefix -> route (own prefixes included). */
export function ospfRoutes(domain: Domain): Map<string, Table> {
  // Intra-area, per area and router.
  const intra = new Map<string, Map<string, Table>>(); // area -> router -> table
  const dists = new Map<string, Map<string, SpfResult>>(); // area -> router -> spf
  for (const [id, area] of domain.areas) {
    const graph: AreaGraph = areaGraph(area);
    const perRouter = new Map<string, Table>();
    const perSpf = new Map<string, SpfResult>();
    for (const s of area.routers) {
      const reached = spf(graph, s);
      perSpf.set(s, reached);
      const t: Table = new Map();
      for (const ad of area.adverts) {
        const r = reached.get(ad.router);
        if (!r) continue;
        offer(t, ad.prefix, { cost: r.dist + ad.cost, first: r.first, area: id, kind: "intra" });
      }
      perRouter.set(s, t);
    }
    intra.set(id, perRouter);
    dists.set(id, perSpf);
  }

  const routers = new Set<string>();
  for (const a of domain.areas.values()) for (const r of a.routers) routers.add(r);
  const areasOf = (r: string) => [...domain.areas.values()].filter((a) => a.routers.has(r)).map((a) => a.id);
  const backbone = domain.areas.get(BACKBONE);
  const abrs = backbone ? [...backbone.routers].filter((r) => areasOf(r).length > 1) : [];

  // Intra-area first: the best over the router's areas.
  const out = new Map<string, Table>();
  for (const r of routers) {
    const t: Table = new Map();
    for (const id of areasOf(r)) for (const [p, route] of intra.get(id)?.get(r) ?? []) offer(t, p, route);
    out.set(r, t);
  }
  if (abrs.length === 0) return out;

  // What an ABR summarises into area x: its intra-area routes of its other areas.
  const summary = (abr: string, x: string): Table => {
    const t: Table = new Map();
    for (const id of areasOf(abr)) {
      if (id === x) continue;
      for (const [p, route] of intra.get(id)?.get(abr) ?? []) offer(t, p, route);
    }
    return t;
  };

  // Backbone routers: inter-area routes through the other ABRs of the backbone.
  const backboneInter = new Map<string, Table>();
  for (const s of backbone?.routers ?? []) {
    const t: Table = new Map();
    const reached = dists.get(BACKBONE)?.get(s);
    for (const b of abrs) {
      if (b === s) continue;
      const r = reached?.get(b);
      if (!r) continue;
      for (const [p, route] of summary(b, BACKBONE)) {
        offer(t, p, { cost: r.dist + route.cost, first: r.first, area: BACKBONE, kind: "inter" });
      }
    }
    backboneInter.set(s, t);
    const own = out.get(s) as Table;
    for (const [p, route] of t) if (!own.has(p)) own.set(p, route);
  }

  // Routers of other areas: through their area's ABRs, which pass on the backbone's routes too.
  for (const [id, area] of domain.areas) {
    if (id === BACKBONE) continue;
    const borders = [...area.routers].filter((r) => abrs.includes(r));
    const offered = new Map<string, Table>();
    for (const b of borders) {
      const t = summary(b, id);
      for (const [p, route] of backboneInter.get(b) ?? []) if (!t.has(p)) t.set(p, route);
      offered.set(b, t);
    }
    for (const s of area.routers) {
      if (abrs.includes(s)) continue;
      const own = out.get(s) as Table;
      const t: Table = new Map();
      const reached = dists.get(id)?.get(s);
      for (const b of borders) {
        const r = reached?.get(b);
        if (!r) continue;
        for (const [p, route] of offered.get(b) ?? []) {
          offer(t, p, { cost: r.dist + route.cost, first: r.first, area: id, kind: "inter" });
        }
      }
      for (const [p, route] of t) if (!own.has(p)) own.set(p, route);
    }
  }
  return out;
}
