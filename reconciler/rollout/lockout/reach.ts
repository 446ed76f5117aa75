// How one device reaches the next hop of a management path, read from one side of its state:
// the interfaces or tunnels the traffic to an address leaves through. Only what the desired state
// says is used: connected prefixes, then static routes, then what it shares with the next device
// (a transfer net, or a WireGuard tunnel whose peer is one of the next device's keys). A route
// learned from OSPF or BGP is not known here (it depends on other routers' state), so a host
// reached only that way, over neither a transfer net nor a tunnel to the next device, has no
// carriers and its hop is not judged.
import {
  addressOf,
  type IpAddress,
  isLinkLocal,
  parseAddress,
  parsePrefix,
  prefixContains,
} from "../../model/ip.ts";
import type { Container, PathState } from "./state.ts";

const sameAddress = (a: IpAddress, b: IpAddress) => a.family === b.family && a.value === b.value;

/** The containers holding exactly this address (whatever the prefix length written with it). */
export function holders(state: PathState, host: IpAddress): Container[] {
  return [...state.addresses].filter(([, list]) => list.some((a) => isAddress(a, host))).map(([c]) => c);
}

function isAddress(text: string, host: IpAddress): boolean {
  const p = parsePrefix(text);
  return p !== undefined && sameAddress(addressOf(p), host);
}

function connectedTo(state: PathState, target: IpAddress): Container[] {
  return [...state.addresses]
    .filter(([, list]) =>
      list.some((a) => {
        const p = parsePrefix(a);
        return p !== undefined && !isLinkLocal(addressOf(p)) && prefixContains(p, target);
      }),
    )
    .map(([c]) => c);
}

export interface Carriers {
  how: "connected" | "static" | "adjacent" | "unknown";
  containers: Container[];
  /** The static route the traffic follows, when it is one. */
  route?: string;
}

/** What is known of the next device, to recognize the transfer net or tunnel two devices share. */
export interface NextDevice {
  addresses: readonly string[];
  /** The public keys of its WireGuard interfaces, as recorded in git. */
  keys: readonly string[];
}

/** Where traffic from `from` to `host` leaves, `next` being the device that holds `host`. */
export function carriers(from: PathState, host: IpAddress, next: NextDevice): Carriers {
  const connected = connectedTo(from, host);
  if (connected.length > 0) return { how: "connected", containers: connected };
  const route = [...from.routes.values()]
    .map((r) => ({ r, p: parsePrefix(r.prefix) }))
    .filter(({ p }) => p !== undefined && prefixContains(p, host))
    .sort((a, b) => (b.p?.length ?? 0) - (a.p?.length ?? 0))[0]?.r;
  if (route) {
    if (route.blackhole) return { how: "static", containers: [], route: route.prefix };
    const byName = route.interface
      ? [...from.addresses.keys()].filter((c) => c.endsWith(`[${route.interface}]`))
      : [];
    const nextHop = route.via ? parseAddress(route.via) : undefined;
    const viaNextHop = nextHop ? connectedTo(from, nextHop) : [];
    return { how: "static", containers: [...new Set([...byName, ...viaNextHop])], route: route.prefix };
  }
  const adjacent = new Set<Container>();
  for (const text of next.addresses) {
    const p = parsePrefix(text);
    if (p && !isLinkLocal(addressOf(p))) for (const c of connectedTo(from, addressOf(p))) adjacent.add(c);
  }
  // An unnumbered tunnel (link-local only, routed by OSPFv3) is known by the key of its peer.
  for (const [c, keys] of from.peers) if (keys.some((k) => next.keys.includes(k))) adjacent.add(c);
  return adjacent.size > 0
    ? { how: "adjacent", containers: [...adjacent] }
    : { how: "unknown", containers: [] };
}

export const allAddresses = (state: PathState): string[] => [...state.addresses.values()].flat();
