// The values the routing model computes: per router, the routes its daemons would install, and
// what one revision's network looks like to the impact analysis. Plain, serializable values.
import type { Reach, RouteSource } from "../model/routing-impact.ts";

export type { Reach, RouteSource } from "../model/routing-impact.ts";

export type AddressFamily = "ipv4" | "ipv6";

/** One next hop: the neighbouring router and the local interface the traffic leaves through. */
export interface NextHop {
  router: string;
  interface: string;
}

export interface Route {
  /** The destination, written as a network (192.0.2.0/26). */
  prefix: string;
  family: AddressFamily;
  source: RouteSource;
  /** OSPF: the path cost; BGP: the IGP cost to the next hop; static and connected: 0. */
  cost: number;
  /** Equal-cost next hops, sorted; empty for connected, blackhole and interface-only routes. */
  nextHops: NextHop[];
  /** Connected routes and static routes out of an interface with no modelled neighbour. */
  interface?: string;
  /** A static route that discards. */
  blackhole?: boolean;
  /** OSPF: the instance key (ospfv3/ipv4) and area the route was learned in. */
  ospf?: { domain: string; area: string };
  /** BGP: the next hop address and the router that originated the prefix. */
  bgp?: { nextHop: string; origin: string };
}

/** Every router's table for one revision (and, for a failure, with links or devices down). */
export interface NetworkRoutes {
  /** router -> prefix -> route */
  tables: Map<string, Map<string, Route>>;
  /** Links that carry an OSPF adjacency, as an undirected graph: for single points of failure. */
  adjacencies: { link: string; a: string; b: string }[];
  /** Things in this revision the model does not follow (e.g. an eBGP session), one line each. */
  notes: string[];
}

/** The outcome of following the tables hop by hop from a router towards a prefix. */
export interface PathResult {
  reach: Reach;
  /** The route at the first router (source, cost, next hops), when it has one. */
  route?: Route;
  /** The routers the traffic can pass (all equal-cost branches), first router excluded, sorted;
   * filled by Walker.through, only for the paths that are shown. */
  through: string[];
}
