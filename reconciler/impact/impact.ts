// The routing impact of a change: the routes of the desired state at two revisions, compared
// router by router and prefix by prefix, as an operator asks "what happens to traffic?". A path
// moved (other next hops or cost), a prefix that becomes unreachable from a router that reaches
// it today, one that becomes reachable, one withdrawn from git altogether; and the links and
// devices that become single points of failure. Pure.

import type { Impact, PathChange, PathChangeKind, PathSummary } from "../model/routing-impact.ts";
import { fastImpact } from "./fast.ts";
import type { NextHop, PathResult, Reach, Route } from "./model.ts";
import { NOT_MODELLED } from "./not-modelled.ts";
import { Walker } from "./reach.ts";
import { singlePoints } from "./spof.ts";
import { computeRoutes } from "./tables.ts";
import type { Failure, RoutingInput } from "./topology.ts";

export type {
  Impact,
  PathChange,
  PathChangeKind,
  PathSummary,
  PlanImpact,
} from "../model/routing-impact.ts";

const reaches = (r: Reach) => r === "delivered" || r === "leaves";

export function summarize(p: PathResult, through: string[] = p.through): PathSummary {
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
    through,
  };
}

/** Same outcome, source, cost and next hops: compared without building anything (the hot loop). */
function same(a: PathResult, b: PathResult): boolean {
  if (a.reach !== b.reach) return false;
  const x = a.route;
  const y = b.route;
  if (!x || !y) return x === y;
  if (x.source !== y.source || x.cost !== y.cost || x.interface !== y.interface) return false;
  if (x.nextHops.length !== y.nextHops.length) return false;
  for (let i = 0; i < x.nextHops.length; i++) {
    const h = x.nextHops[i] as NextHop;
    const k = y.nextHops[i] as NextHop;
    if (h.router !== k.router || h.interface !== k.interface) return false;
  }
  return true;
}

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
  return fastImpact(before, after, failure) ?? fullImpact(before, after, failure);
}

/** Every router's tables on both sides, every path followed: the reference computation. */
export function fullImpact(before: RoutingInput, after: RoutingInput, failure: Failure = {}): Impact {
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
      const pathBefore = wb.path(router, prefix);
      const pathAfter = wa.path(router, prefix);
      if (same(pathBefore, pathAfter)) continue;
      if (pathBefore.route?.source === "connected" && pathAfter.route?.source === "connected") continue;
      const before = summarize(pathBefore, wb.through(router, prefix));
      const after = summarize(pathAfter, wa.through(router, prefix));
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
  const afterLinks = new Set(a.adjacencies.map((l) => l.link));
  const beforeLinks = new Set(b.adjacencies.map((l) => l.link));
  const links: Impact["links"] = [
    ...a.adjacencies.map((l) => ({
      ...l,
      state: beforeLinks.has(l.link) ? ("kept" as const) : ("added" as const),
    })),
    ...b.adjacencies.filter((l) => !afterLinks.has(l.link)).map((l) => ({ ...l, state: "removed" as const })),
  ];
  return {
    changes,
    newSinglePoints: {
      links: sa.links.filter((l) => !sb.links.includes(l)),
      devices: sa.devices.filter((d) => !sb.devices.includes(d)),
    },
    totals,
    links,
    notModelled: [...NOT_MODELLED, ...new Set([...b.notes, ...a.notes])],
  };
}

/** The changes an operator must explicitly accept: a prefix reached today and not after. */
export const refusals = (impact: Impact): PathChange[] =>
  impact.changes.filter((c) => c.kind === "unreachable");

/** The impact as a plan carries it: against which revision it was computed. */

/**
 * The links on changed paths (both ends among the routers a changed path passes), marked "lost"
 * when a path over them became unreachable, else "moved": what the pictures draw.
 */
export function linksOnChangedPaths(impact: Impact): Map<string, "moved" | "lost"> {
  const marked = new Map<string, "moved" | "lost">();
  for (const c of impact.changes) {
    const hops = new Set([c.router, ...c.before.through, ...c.after.through]);
    for (const l of impact.links) {
      if (!hops.has(l.a) || !hops.has(l.b) || marked.get(l.link) === "lost") continue;
      marked.set(l.link, c.kind === "unreachable" ? "lost" : "moved");
    }
  }
  return marked;
}

/** What failed links do to traffic (the drift report's down links): the links on changed paths, counts. */
export function reroutedBy(
  input: RoutingInput,
  links: readonly string[],
): { links: Record<string, "moved" | "lost">; moved: number; unreachable: number } {
  const impact = impactOf(input, input, { links });
  return {
    links: Object.fromEntries(linksOnChangedPaths(impact)),
    moved: impact.totals.moved,
    unreachable: impact.totals.unreachable,
  };
}
