// What a routing-impact computation (reconciler/impact/) gives a plan: the changed paths, the
// totals, the new single points of failure. Types only, here so that a Plan can carry them
// without the model depending on the computation.

/** Where a route comes from, in the order the daemons prefer them (connected first). */
export type RouteSource = "connected" | "static" | "ospf-intra" | "ospf-inter" | "bgp";

/** How traffic from a router to a prefix ends. */
export type Reach = "delivered" | "blackhole" | "no-route" | "loop" | "leaves";

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
  /** The links carrying routing before or after, for the picture: kept, added or removed. */
  links: { link: string; a: string; b: string; state: "kept" | "added" | "removed" }[];
  /** What the model leaves out, and what it met in these revisions and did not follow. */
  notModelled: string[];
}

export interface PlanImpact extends Impact {
  /** The revision the plan's desired state is compared with, and how it was chosen. */
  base: { revision: string; why: string };
}
