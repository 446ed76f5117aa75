// iBGP as the example and the source designs use it: sessions between loopbacks (both ends
// configure each other with the same AS, and each reaches the other's address through the IGP),
// route reflectors (RFC 4456: a client's route goes to every peer, a non-client's to clients
// only; a route never goes back to where it came from), announced prefixes originated only while
// the exact prefix is in the speaker's table. The next hop is the originating speaker's session
// address (next_hop_self); a reflector passes it on unchanged. A route is installed when its next
// hop resolves through the IGP, and forwards the way the IGP route to the next hop does.
import { formatAddress, parseAddress } from "../model/ip.ts";
import type { Bgp } from "../schema/device.ts";
import { hostPrefix } from "./lpm.ts";
import type { Route } from "./model.ts";
import type { Walker } from "./reach.ts";
import { networkText, type Topology } from "./topology.ts";

interface Session {
  local: string;
  peer: string;
  /** The peer is a route reflector client of local. */
  client: boolean;
  /** The address local reaches the peer at, and the address local speaks from. */
  peerAddress: string;
  localAddress: string;
}

interface BgpPath {
  prefix: string;
  origin: string;
  nextHop: string;
  /** The speaker it was learned from (undefined: originated here) and whether that one is a client. */
  from?: string;
  fromClient: boolean;
}

const canon = (a: string): string | undefined => {
  const p = parseAddress(a);
  return p ? formatAddress(p) : undefined;
};

function sessions(topo: Topology, igp: Walker): Session[] {
  const out: Session[] = [];
  const speakers = new Map<string, Bgp>();
  for (const r of topo.routers) {
    const b = topo.intents.get(r)?.bgp;
    if (b) speakers.set(r, b);
  }
  for (const [r, b] of speakers) {
    for (const n of b.neighbors) {
      const addr = canon(n.address);
      if (n.remote_asn !== b.asn) {
        topo.notes.push(`${r}: the eBGP session to ${n.address} (AS ${n.remote_asn}) is not modelled`);
        continue;
      }
      const owner = addr ? topo.owners.get(addr) : undefined;
      if (!addr || !owner) {
        topo.notes.push(`${r}: BGP neighbour ${n.address} is no address of a device in git: not modelled`);
        continue;
      }
      const pb = speakers.get(owner.router);
      const back = pb?.neighbors.find((m) => {
        const a = canon(m.address);
        return a !== undefined && topo.owners.get(a)?.router === r && m.remote_asn === pb.asn;
      });
      if (!pb || !back || pb.asn !== b.asn) continue; // the other end does not configure this session
      const localAddress = canon(back.address) as string;
      // Up only while each end reaches the other's address through the IGP.
      if (igp.path(r, hostPrefix(addr)).reach !== "delivered") continue;
      if (igp.path(owner.router, hostPrefix(localAddress)).reach !== "delivered") continue;
      out.push({
        local: r,
        peer: owner.router,
        client: n.route_reflector_client === true,
        peerAddress: addr,
        localAddress,
      });
    }
  }
  return out;
}

/** Each speaker's installed BGP routes (prefixes it has no better route for are decided later). */
export function bgpRoutes(topo: Topology, igp: Walker): Map<string, Route[]> {
  const all = sessions(topo, igp);
  const best = new Map<string, Map<string, BgpPath>>();
  const igpCost = (router: string, nextHop: string) =>
    igp.lookup(router, hostPrefix(nextHop))?.cost ?? Infinity;
  for (const r of new Set(all.map((s) => s.local))) {
    const own = new Map<string, BgpPath>();
    for (const a of topo.intents.get(r)?.bgp?.announce ?? []) {
      const n = networkText(a);
      // Announced only while the exact prefix is in the table (FRR network, bird's export filter).
      if (!n || igp.lookup(r, n.prefix)?.prefix !== n.prefix) continue;
      const local = all.find((s) => s.local === r);
      if (local)
        own.set(n.prefix, { prefix: n.prefix, origin: r, nextHop: local.localAddress, fromClient: false });
    }
    best.set(r, own);
  }
  // Fixpoint: a pass per hop of reflection; the route reflector hierarchy is shallow.
  for (let round = 0; round <= all.length; round++) {
    let changed = false;
    for (const s of all) {
      // s.local sends to s.peer what its policy lets it.
      const receiver = best.get(s.peer) as Map<string, BgpPath>;
      const back = all.find((x) => x.local === s.peer && x.peer === s.local);
      for (const path of (best.get(s.local) as Map<string, BgpPath>).values()) {
        if (path.origin === s.peer || path.from === s.peer) continue;
        const originated = path.from === undefined;
        if (!originated && !(path.fromClient || s.client)) continue;
        const cand: BgpPath = {
          prefix: path.prefix,
          origin: path.origin,
          nextHop: originated ? s.localAddress : path.nextHop,
          from: s.local,
          fromClient: back?.client === true,
        };
        const cur = receiver.get(path.prefix);
        if (cur?.from === undefined && cur) continue; // its own origination wins
        const better =
          !cur ||
          igpCost(s.peer, cand.nextHop) < igpCost(s.peer, cur.nextHop) ||
          (igpCost(s.peer, cand.nextHop) === igpCost(s.peer, cur.nextHop) && cand.origin < cur.origin);
        if (
          better &&
          (!cur || cur.from !== cand.from || cur.nextHop !== cand.nextHop || cur.origin !== cand.origin)
        ) {
          receiver.set(path.prefix, cand);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const out = new Map<string, Route[]>();
  for (const [r, paths] of best) {
    const routes: Route[] = [];
    for (const p of paths.values()) {
      if (p.from === undefined) continue;
      const via = igp.lookup(r, hostPrefix(p.nextHop));
      if (!via) continue;
      const nextHops =
        via.source === "connected"
          ? (() => {
              const o = topo.owners.get(p.nextHop);
              return o ? [{ router: o.router, interface: via.interface ?? "" }] : [];
            })()
          : via.nextHops;
      if (nextHops.length === 0) continue;
      const n = networkText(p.prefix);
      routes.push({
        prefix: p.prefix,
        family: n?.family ?? "ipv4",
        source: "bgp",
        cost: via.cost,
        nextHops,
        bgp: { nextHop: p.nextHop, origin: p.origin },
      });
    }
    out.set(r, routes);
  }
  return out;
}
