// What the routing model leaves out, said once here and printed with every impact, so that a
// reader never takes a silence for a guarantee (docs/impact.md explains each).
export const NOT_MODELLED: readonly string[] = [
  "OSPF: virtual links, stub/NSSA area default routes, area ranges and summarisation, broadcast/NBMA designated routers (every adjacency is taken as point-to-point between the two link ends), network-type, timer or authentication mismatches",
  "OSPF: redistribution (external routes) and default-information; auto-cost from interface bandwidth (an unset cost is 10)",
  "OSPF: adjacencies only across links from links.yaml; tunnels written by hand into a device file carry none",
  "BGP: eBGP, confederations, multiple route reflector clusters' cluster-list loops, local-preference, MED, communities, AS-path policy and any filter but the announce list; a reflector passes on the next hop unchanged",
  "static routes: recursive next hops (off the connected networks), several routes to one prefix with different distances (the first wins)",
  "raw configuration snippets, firewall rules and policy routing",
  "the underlay: a link is up when both ends are in git",
];
