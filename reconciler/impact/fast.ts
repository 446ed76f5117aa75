// The impact of a change to link costs or adjacencies only (a cost changed, a link cut), without
// recomputing every router: a router's shortest paths can change only if a changed edge lies on
// (or ties into) its shortest-path DAG before or after, i.e. dist(S,u) + cost(u→v) <= dist(S,v).
// One SPF on the reversed graph from u and from v gives those distances for every S at once, so
// only the routers that pass the test get their SPF (before and after) and their routes compared.
// Taken only where it is exact: no static routes, no BGP, one area per domain, a prefix in one
// domain only, and the same routers, connected networks and advertised prefixes on both sides;
// anything else goes through the full computation (impact.ts), which gives the same answer.

import type { Impact, PathChange, PathSummary } from "../model/routing-impact.ts";
import { NOT_MODELLED } from "./not-modelled.ts";
import { type AreaGraph, areaGraph, onPaths, type SpfResult, spf } from "./spf.ts";
import { singlePoints } from "./spof.ts";
import { adjacencyList } from "./tables.ts";
import {
  type Adjacency,
  type Advert,
  type Area,
  buildTopology,
  type Failure,
  type RoutingInput,
  type Topology,
} from "./topology.ts";

const edgeKey = (e: Adjacency) => `${e.from}\n${e.fromInterface}\n${e.to}`;

function eligible(tb: Topology, ta: Topology): boolean {
  for (const t of [tb, ta])
    for (const i of t.intents.values()) if ((i.static_routes?.length ?? 0) > 0 || i.bgp) return false;
  if (tb.routers.join("\n") !== ta.routers.join("\n")) return false;
  if ([...tb.domains.keys()].sort().join() !== [...ta.domains.keys()].sort().join()) return false;
  const seen = new Map<string, string>();
  for (const [key, d] of tb.domains) {
    const other = ta.domains.get(key);
    if (!other || d.areas.size !== 1 || other.areas.size !== 1) return false;
    const [id, area] = [...d.areas][0] as [string, typeof d.areas extends Map<string, infer A> ? A : never];
    const otherArea = other.areas.get(id);
    if (!otherArea) return false;
    if ([...area.routers].sort().join() !== [...otherArea.routers].sort().join()) return false;
    for (const a of [...area.adverts, ...otherArea.adverts]) {
      if ((seen.get(a.prefix) ?? key) !== key) return false; // the same prefix in two domains
      seen.set(a.prefix, key);
    }
  }
  for (const r of tb.routers)
    if (JSON.stringify(tb.connected.get(r)) !== JSON.stringify(ta.connected.get(r))) return false;
  return true;
}

interface Best {
  cost: number;
  first: Adjacency[];
  own: boolean;
  /** The advertisers at the best cost. */
  via: string[];
}

/** How one router reaches the others: its distance and first hops to an advertiser, the path's routers. */
interface Reacher {
  to(router: string): { dist: number; first: Adjacency[] } | undefined;
  through(router: string): string[];
}

/** From the router's own SPF. */
function forward(reached: SpfResult): Reacher {
  return {
    to: (r) => {
      const dist = reached.dist(r);
      return dist === undefined ? undefined : { dist, first: reached.first(r) as Adjacency[] };
    },
    through: (r) => onPaths(reached, r),
  };
}

/** The same first hops (by neighbour and interface: the two sides' adjacency objects differ). */
function sameFirst(x: readonly Adjacency[], y: readonly Adjacency[]): boolean {
  if (x.length !== y.length) return false;
  for (const e of y) {
    let found = false;
    for (const f of x)
      if (f.to === e.to && f.fromInterface === e.fromInterface) {
        found = true;
        break;
      }
    if (!found) return false;
  }
  return true;
}

/**
 * From SPFs on the reversed graph rooted at each advertiser (distances TO it, for every router at
 * once): a first hop is an adjacency whose cost plus the neighbour's distance equals the router's.
 */
function backward(self: string, graph: AreaGraph, toward: (target: string) => SpfResult): Reacher {
  const hops = (at: string, target: string): Adjacency[] => {
    const t = toward(target);
    const d = t.get(at)?.dist;
    if (d === undefined) return [];
    return (graph.get(at) ?? []).filter((e) => {
      const n = t.get(e.to)?.dist;
      return n !== undefined && e.cost + n === d;
    });
  };
  return {
    to: (r) => {
      const d = toward(r).get(self)?.dist;
      if (d === undefined) return undefined;
      return { dist: d, first: r === self ? [] : hops(self, r) };
    },
    through: (r) => {
      const seen = new Set<string>();
      const todo = [self];
      while (todo.length > 0) {
        const at = todo.pop() as string;
        if (at === r) continue;
        for (const e of hops(at, r)) {
          if (seen.has(e.to)) continue;
          seen.add(e.to);
          todo.push(e.to);
        }
      }
      return [...seen].sort();
    },
  };
}

/** The route as tables.ts would install it: the cheapest advertiser, own prefixes win ties. */
function bestRoute(reach: Reacher, ads: readonly Advert[], self: string): Best | undefined {
  let best: Best | undefined;
  for (const a of ads) {
    const r = reach.to(a.router);
    if (!r) continue;
    const cost = r.dist + a.cost;
    const own = a.router === self;
    if (!best || cost < best.cost) best = { cost, first: r.first, own, via: [a.router] };
    else if (cost === best.cost) {
      if (own || best.own) best = { cost, first: [], own: true, via: [a.router] };
      else {
        const first = best.first.slice();
        for (const e of r.first) if (!first.includes(e)) first.push(e);
        best = { cost, first, own: false, via: [...best.via, a.router] };
      }
    }
  }
  return best;
}

/** Same installed route: both none (or own), or the same cost over the same first hops. */
function sameRoute(x: Best | undefined, y: Best | undefined): boolean {
  const nx = !x || x.own;
  const ny = !y || y.own;
  if (nx || ny) return nx && ny;
  return x.cost === y.cost && sameFirst(x.first, y.first);
}

function summary(b: Best | undefined, reach: Reacher): PathSummary {
  if (!b || b.own) return { reach: "no-route", via: [], through: [] };
  const through = new Set<string>();
  for (const adv of b.via) for (const r of reach.through(adv)) through.add(r);
  return {
    reach: "delivered",
    source: "ospf-intra",
    cost: b.cost,
    via: b.first
      .map((e) => ({ router: e.to, interface: e.fromInterface }))
      .sort((x, y) =>
        x.router < y.router ? -1 : x.router > y.router ? 1 : x.interface < y.interface ? -1 : 1,
      )
      .map((h) => `${h.router} ${h.interface}`),
    through: [...through].sort(),
  };
}

const group = (ads: readonly Advert[]) => {
  const m = new Map<string, Advert[]>();
  for (const a of ads) {
    const l = m.get(a.prefix);
    if (l) l.push(a);
    else m.set(a.prefix, [a]);
  }
  return m;
};
const adsSig = (ads: readonly Advert[] | undefined) =>
  (ads ?? [])
    .map((a) => `${a.router} ${a.cost}`)
    .sort()
    .join(",");

/** The impact when only adjacencies, their costs or OSPF adverts differ; undefined otherwise. */
export function fastImpact(
  before: RoutingInput,
  after: RoutingInput,
  failure: Failure = {},
): Impact | undefined {
  const tb = buildTopology(before);
  const ta = buildTopology(after, failure);
  if (!eligible(tb, ta)) return undefined;
  const changes: PathChange[] = [];
  const originated = new Set<string>();
  const prefixes = new Set<string>();
  for (const cs of ta.connected.values())
    for (const c of cs) {
      originated.add(c.prefix);
      prefixes.add(c.prefix);
    }
  for (const cs of tb.connected.values()) for (const c of cs) prefixes.add(c.prefix);
  for (const [key, db] of tb.domains) {
    const [id, areaB] = [...db.areas][0] as [string, Area];
    const areaA = ta.domains.get(key)?.areas.get(id) as Area;
    const adsB = group(areaB.adverts);
    const adsA = group(areaA.adverts);
    const domainPrefixes = [...new Set([...adsB.keys(), ...adsA.keys()])].sort();
    for (const p of domainPrefixes) prefixes.add(p);
    const changedPrefixes = domainPrefixes.filter((p) => adsSig(adsB.get(p)) !== adsSig(adsA.get(p)));
    const eb = new Map(areaB.adjacencies.map((e) => [edgeKey(e), e]));
    const ea = new Map(areaA.adjacencies.map((e) => [edgeKey(e), e]));
    const changed: { from: string; to: string; costB?: number; costA?: number }[] = [];
    for (const [k, e] of eb) {
      const other = ea.get(k);
      if (other?.cost !== e.cost)
        changed.push({ from: e.from, to: e.to, costB: e.cost, ...(other ? { costA: other.cost } : {}) });
    }
    for (const [k, e] of ea) if (!eb.has(k)) changed.push({ from: e.from, to: e.to, costA: e.cost });
    if (changed.length === 0 && changedPrefixes.length === 0) continue;
    const graphs = { b: areaGraph(areaB), a: areaGraph(areaA) };
    const reversed = { b: areaGraph(areaB, true), a: areaGraph(areaA, true) };
    const towards = new Map<string, SpfResult>();
    const toward = (side: "a" | "b") => (target: string) => {
      const k = `${side}\n${target}`;
      let m = towards.get(k);
      if (!m) {
        m = spf(reversed[side], target);
        towards.set(k, m);
      }
      return m;
    };
    const affected = new Set<string>();
    for (const c of changed)
      for (const [side, cost] of [
        ["b", c.costB],
        ["a", c.costA],
      ] as const) {
        if (cost === undefined) continue;
        const du = toward(side)(c.from);
        const dv = toward(side)(c.to);
        for (const s of areaB.routers) {
          const a = du.get(s)?.dist;
          if (a === undefined) continue;
          const b = dv.get(s)?.dist;
          if (b === undefined || a + cost <= b) affected.add(s);
        }
      }
    const compare = (s: string, prefix: string, rb: Reacher, ra: Reacher) => {
      const bb = bestRoute(rb, adsB.get(prefix) ?? [], s);
      const ba = bestRoute(ra, adsA.get(prefix) ?? [], s);
      // Cheap test first: most routes do not change, and a summary walks the whole path.
      if (sameRoute(bb, ba)) return;
      const before = summary(bb, rb);
      const after = summary(ba, ra);
      if (
        before.reach === after.reach &&
        before.cost === after.cost &&
        before.via.join() === after.via.join()
      )
        return;
      const kind =
        before.reach === "delivered" && after.reach !== "delivered"
          ? originated.has(prefix)
            ? "unreachable"
            : "withdrawn"
          : before.reach !== "delivered"
            ? "reachable"
            : "moved";
      changes.push({ router: s, prefix, kind, before, after });
    };
    const own = (s: string) => new Set((tb.connected.get(s) ?? []).map((c) => c.prefix));
    // Prefixes by advertiser: a route changes only if the way to one of its advertisers does.
    const advertised = new Map<string, Set<string>>();
    for (const a of [...areaB.adverts, ...areaA.adverts]) {
      const set = advertised.get(a.router);
      if (set) set.add(a.prefix);
      else advertised.set(a.router, new Set([a.prefix]));
    }
    // Routers whose shortest paths may have changed: their own SPFs, then the prefixes of every
    // advertiser now reached at another distance or through other first hops.
    for (const s of affected) {
      const sb = spf(graphs.b, s);
      const sa = spf(graphs.a, s);
      const check = new Set(changedPrefixes);
      for (const [r, ps] of advertised) {
        const db = sb.dist(r);
        const da = sa.dist(r);
        if (db === da && (db === undefined || sameFirst(sb.first(r) ?? [], sa.first(r) ?? []))) continue;
        for (const p of ps) check.add(p);
      }
      const mine = own(s);
      const rb = forward(sb);
      const ra = forward(sa);
      for (const p of check) if (!mine.has(p)) compare(s, p, rb, ra);
    }
    // Prefixes whose adverts changed, for every other router: from the advertisers' reversed SPFs.
    for (const s of areaB.routers) {
      if (affected.has(s) || changedPrefixes.length === 0) continue;
      const rb = backward(s, graphs.b, toward("b"));
      const ra = backward(s, graphs.a, toward("a"));
      const mine = own(s);
      for (const p of changedPrefixes) if (!mine.has(p)) compare(s, p, rb, ra);
    }
  }
  changes.sort((x, y) =>
    x.router < y.router
      ? -1
      : x.router > y.router
        ? 1
        : x.prefix < y.prefix
          ? -1
          : x.prefix > y.prefix
            ? 1
            : 0,
  );
  const ab = adjacencyList(tb);
  const aa = adjacencyList(ta);
  const sb = singlePoints(ab);
  const sa = singlePoints(aa);
  const totals = {
    moved: 0,
    unreachable: 0,
    reachable: 0,
    withdrawn: 0,
    routers: tb.routers.length,
    prefixes: prefixes.size,
  };
  for (const c of changes) totals[c.kind]++;
  const afterLinks = new Set(aa.map((l) => l.link));
  const beforeLinks = new Set(ab.map((l) => l.link));
  return {
    changes,
    newSinglePoints: {
      links: sa.links.filter((l) => !sb.links.includes(l)),
      devices: sa.devices.filter((d) => !sb.devices.includes(d)),
    },
    totals,
    links: [
      ...aa.map((l) => ({ ...l, state: beforeLinks.has(l.link) ? ("kept" as const) : ("added" as const) })),
      ...ab.filter((l) => !afterLinks.has(l.link)).map((l) => ({ ...l, state: "removed" as const })),
    ],
    notModelled: [...NOT_MODELLED, ...new Set([...tb.notes, ...ta.notes])],
  };
}
