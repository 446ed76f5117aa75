// The routing impact of a change: the routes of the desired state at two revisions, compared
// router by router and prefix by prefix, as an operator asks "what happens to traffic?". A path
// moved (other next hops or cost), a prefix that becomes unreachable from a router that reaches
// it today, one that becomes reachable, one withdrawn from git altogether; and the links and
// devices that become single points of failure. Pure.
import type { PathResult, Reach, Route, RouteSource } from "./model.ts";
import { NOT_MODELLED } from "./not-modelled.ts";
import { Walker } from "./reach.ts";
import { singlePoints } from "./spof.ts";
import { computeRoutes } from "./tables.ts";
import type { Failure, RoutingInput } from "./topology.ts";

export interface PathSummary {
  reach: Reach;
  source?: RouteSource;
  cost?: number;
  /** "router-b wg-b" per equal-cost next hop; the interface alone for a connected network. */
  via: string[];
  /** Every router the traffic can pass after the first one, sorted. */
  through: string[];
}

export type PathChangeKind = "moved" | "unreachable" | "reachable" | "withdrawn";

export interface PathChange {
  router: string;
  prefix: string;
  kind: PathChangeKind;
  before: PathSummary;
  after: PathSummary;
}

export interface Impact {
  changes: PathChange[];
  /** The links and devices whose loss alone would split the network after, and did not before. */
  newSinglePoints: { links: string[]; devices: string[] };
  totals: Record<PathChangeKind, number> & { routers: number; prefixes: number };
  /** What the model leaves out, and what it met in these revisions and did not follow. */
  notModelled: string[];
}

const reaches = (r: Reach) => r === "delivered" || r === "leaves";

export function summarize(p: PathResult): PathSummary {
  const r = p.route;
  const via = !r
    ? []
    : r.nextHops.length > 0
      ? r.nextHops.map((h) => `${h.router} ${h.interface}`)
      : r.interface
        ? [r.interface]
        : [];
  return {
    reach: p.reach,
    ...(r ? { source: r.source, cost: r.cost } : {}),
    via,
    through: p.through,
  };
}

const same = (a: PathSummary, b: PathSummary) =>
  a.reach === b.reach && a.source === b.source && a.cost === b.cost && a.via.join(",") === b.via.join(",");

/** Every prefix any router holds, and the ones some router has as its own network (originated). */
function prefixesOf(tables: ReadonlyMap<string, ReadonlyMap<string, Route>>) {
  const all = new Set<string>();
  const originated = new Set<string>();
  for (const t of tables.values())
    for (const [p, r] of t) {
      all.add(p);
      if (r.source === "connected" || (r.source === "static" && !r.blackhole)) originated.add(p);
    }
  return { all, originated };
}

/** Compares two revisions' desired states (after may also be before with a failure applied). */
export function impactOf(before: RoutingInput, after: RoutingInput, failure: Failure = {}): Impact {
  const b = computeRoutes(before);
  const a = computeRoutes(after, failure);
  const wb = new Walker(b.tables);
  const wa = new Walker(a.tables);
  const pb = prefixesOf(b.tables);
  const pa = prefixesOf(a.tables);
  const prefixes = [...new Set([...pb.all, ...pa.all])].sort();
  const routers = [...b.tables.keys()].filter((r) => a.tables.has(r)).sort();
  const changes: PathChange[] = [];
  for (const router of routers) {
    for (const prefix of prefixes) {
      const before = summarize(wb.path(router, prefix));
      const after = summarize(wa.path(router, prefix));
      if (same(before, after)) continue;
      if (before.source === "connected" && after.source === "connected") continue;
      let kind: PathChangeKind;
      if (reaches(before.reach) && !reaches(after.reach))
        kind = pa.originated.has(prefix) ? "unreachable" : "withdrawn";
      else if (!reaches(before.reach) && reaches(after.reach)) kind = "reachable";
      else if (!reaches(before.reach) && !reaches(after.reach) && !pa.all.has(prefix)) kind = "withdrawn";
      else kind = "moved";
      changes.push({ router, prefix, kind, before, after });
    }
  }
  const sb = singlePoints(b.adjacencies);
  const sa = singlePoints(a.adjacencies);
  const totals = {
    moved: 0,
    unreachable: 0,
    reachable: 0,
    withdrawn: 0,
    routers: routers.length,
    prefixes: prefixes.length,
  };
  for (const c of changes) totals[c.kind]++;
  return {
    changes,
    newSinglePoints: {
      links: sa.links.filter((l) => !sb.links.includes(l)),
      devices: sa.devices.filter((d) => !sb.devices.includes(d)),
    },
    totals,
    notModelled: [...NOT_MODELLED, ...new Set([...b.notes, ...a.notes])],
  };
}

/** The changes an operator must explicitly accept: a prefix reached today and not after. */
export const refusals = (impact: Impact): PathChange[] =>
  impact.changes.filter((c) => c.kind === "unreachable");
