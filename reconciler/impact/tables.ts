// Every router's routing table for one revision: connected networks, static routes, OSPF (each
// domain's intra- and inter-area routes) and iBGP, with the preference bird and FRR share:
// connected over static over OSPF over iBGP (FRR's distances 0/1/110/200; bird's preferences
// 240/200/150/100 give the same order), and inside OSPF intra-area over inter-area, then cost.
import { bgpRoutes } from "./bgp.ts";
import type { NetworkRoutes, NextHop, Route } from "./model.ts";
import { ospfRoutes } from "./ospf.ts";
import { Walker } from "./reach.ts";
import { staticRoutes } from "./statics.ts";
import { buildTopology, type Failure, type RoutingInput, type Topology } from "./topology.ts";

const RANK: Record<Route["source"], number> = {
  connected: 0,
  static: 1,
  "ospf-intra": 2,
  "ospf-inter": 3,
  bgp: 4,
};

function better(a: Route, b: Route): boolean {
  if (RANK[a.source] !== RANK[b.source]) return RANK[a.source] < RANK[b.source];
  return a.cost < b.cost;
}

function put(table: Map<string, Route>, r: Route): void {
  const cur = table.get(r.prefix);
  if (!cur || better(r, cur)) table.set(r.prefix, r);
}

const byHop = (a: NextHop, b: NextHop) =>
  a.router < b.router
    ? -1
    : a.router > b.router
      ? 1
      : a.interface < b.interface
        ? -1
        : a.interface > b.interface
          ? 1
          : 0;

function igpTables(topo: Topology): Map<string, Map<string, Route>> {
  const tables = new Map<string, Map<string, Route>>();
  for (const r of topo.routers) {
    const t = new Map<string, Route>();
    for (const c of topo.connected.get(r) ?? [])
      put(t, {
        prefix: c.prefix,
        family: c.family,
        source: "connected",
        cost: 0,
        nextHops: [],
        interface: c.interface,
      });
    for (const s of staticRoutes(topo, r)) put(t, s);
    tables.set(r, t);
  }
  for (const domain of topo.domains.values()) {
    for (const [r, routes] of ospfRoutes(domain)) {
      const t = tables.get(r) as Map<string, Route>;
      for (const [prefix, o] of routes) {
        if (o.first.length === 0) continue; // the router's own prefix
        const cur = t.get(prefix);
        const source = o.kind === "intra" ? "ospf-intra" : "ospf-inter";
        if (cur && RANK[cur.source] < RANK[source]) continue;
        put(t, {
          prefix,
          family: domain.family,
          source,
          cost: o.cost,
          nextHops: o.first.map((e) => ({ router: e.to, interface: e.fromInterface })).sort(byHop),
          ospf: { domain: domain.key, area: o.area },
        });
      }
    }
  }
  return tables;
}

/** The routes of one revision, optionally with links or devices failed. */
export function computeRoutes(input: RoutingInput, failure: Failure = {}): NetworkRoutes {
  const topo = buildTopology(input, failure);
  const tables = igpTables(topo);
  const bgp = bgpRoutes(topo, new Walker(tables));
  for (const [r, routes] of bgp) {
    const t = tables.get(r) as Map<string, Route>;
    for (const route of routes) put(t, route);
  }
  return { tables, adjacencies: adjacencyList(topo), notes: [...new Set(topo.notes)] };
}

/** The links that carry an adjacency in any domain, once each. */
export function adjacencyList(topo: Topology): NetworkRoutes["adjacencies"] {
  const adjacencies: NetworkRoutes["adjacencies"] = [];
  const seen = new Set<string>();
  for (const d of topo.domains.values())
    for (const a of d.areas.values())
      for (const adj of a.adjacencies) {
        if (seen.has(adj.link)) continue;
        seen.add(adj.link);
        adjacencies.push({ link: adj.link, a: adj.from, b: adj.to });
      }
  return adjacencies;
}
