// Static routes as the daemons install them: a blackhole discards, a next hop on a connected
// network goes to the router holding that address (or leaves the modelled network when nobody
// in git holds it), an interface route goes to the link's other end.
import { formatAddress, parseAddress, prefixContains } from "../model/ip.ts";
import type { StaticRoute } from "../schema/device.ts";
import { prefixOf } from "./lpm.ts";
import type { Route } from "./model.ts";
import { networkText, type Topology } from "./topology.ts";

export function staticRoutes(topo: Topology, router: string): Route[] {
  const out: Route[] = [];
  const intent = topo.intents.get(router);
  for (const s of (intent?.static_routes ?? []) as StaticRoute[]) {
    const n = networkText(s.prefix);
    if (!n) continue;
    const base = { prefix: n.prefix, family: n.family, source: "static" as const, cost: 0 };
    if (s.blackhole) {
      out.push({ ...base, nextHops: [], blackhole: true });
      continue;
    }
    if (s.via) {
      const via = parseAddress(s.via);
      const on = via
        ? (topo.connected.get(router) ?? []).find((c) => {
            const p = prefixOf(c.prefix);
            return p !== undefined && prefixContains(p, via);
          })
        : undefined;
      if (!via || !on) {
        topo.notes.push(
          `${router}: static route ${s.prefix} via ${s.via}: a next hop off the connected networks (recursive) is not modelled`,
        );
        continue;
      }
      const exit = s.interface ?? on.interface;
      if (topo.deadEnds.has(`${router} ${exit}`)) {
        // The link failed under the tunnel: the kernel keeps the route, the traffic is lost.
        out.push({ ...base, nextHops: [], blackhole: true, interface: exit });
        continue;
      }
      const owner = topo.owners.get(formatAddress(via));
      if (owner && owner.router !== router)
        out.push({ ...base, nextHops: [{ router: owner.router, interface: s.interface ?? on.interface }] });
      else out.push({ ...base, nextHops: [], interface: s.interface ?? on.interface });
      continue;
    }
    if (s.interface) {
      if (topo.deadEnds.has(`${router} ${s.interface}`)) {
        out.push({ ...base, nextHops: [], blackhole: true, interface: s.interface });
        continue;
      }
      const peer = topo.peers.get(router)?.get(s.interface);
      if (peer) out.push({ ...base, nextHops: [{ router: peer.router, interface: s.interface }] });
      else out.push({ ...base, nextHops: [], interface: s.interface });
    }
  }
  return out;
}
