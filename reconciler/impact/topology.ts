// The routing-relevant facts of one revision, read from the shared model only (never a driver):
// each router's interfaces and addresses, which link ends face each other, the OSPF domains
// (version and address family) with their areas, adjacencies and advertised prefixes.
// Pure: no I/O; a failure (links or devices down) is applied here, as if they were not in git.
import { formatAddress, formatPrefix, isLinkLocal, networkOf, parsePrefix } from "../model/ip.ts";
import type { DeviceIntent, OspfInstance } from "../schema/device.ts";
import type { Link } from "../schema/links.ts";
import type { AddressFamily } from "./model.ts";

/** What the impact analysis reads: the DesiredRepo's expanded intents and its links. */
export interface RoutingInput {
  expanded: Readonly<Record<string, DeviceIntent>>;
  links: readonly Link[];
}

/** Links or devices taken out, as a failure would: the computed "after" of a cut. */
export interface Failure {
  links?: readonly string[];
  devices?: readonly string[];
}

/** OSPF's default interface and stub network cost in bird and FRR (reference bandwidth aside). */
export const DEFAULT_OSPF_COST = 10;

export interface Connected {
  prefix: string;
  family: AddressFamily;
  interface: string;
}

export interface Adjacency {
  from: string;
  to: string;
  fromInterface: string;
  toInterface: string;
  /** The cost of the sending end's interface: OSPF uses the outgoing cost. */
  cost: number;
  link: string;
}

export interface Advert {
  router: string;
  prefix: string;
  cost: number;
}

export interface Area {
  id: string;
  routers: Set<string>;
  adjacencies: Adjacency[];
  adverts: Advert[];
}

/** One OSPF routing domain: routers speaking the same version and address family. */
export interface Domain {
  key: string;
  family: AddressFamily;
  areas: Map<string, Area>;
}

export interface Topology {
  routers: string[];
  intents: Map<string, DeviceIntent>;
  connected: Map<string, Connected[]>;
  /** An address (as written, without length) -> the router and interface that hold it. */
  owners: Map<string, { router: string; interface: string }>;
  /** router -> local interface -> the router and interface at the link's other end. */
  peers: Map<string, Map<string, { router: string; interface: string; link: string }>>;
  domains: Map<string, Domain>;
  /** "router interface" of each end of a failed link: the interface stays, nothing answers on it. */
  deadEnds: Set<string>;
  notes: string[];
}

export const familyOf = (v: 4 | 6): AddressFamily => (v === 4 ? "ipv4" : "ipv6");

/** The domain an OSPF instance belongs to: OSPFv2 carries IPv4, OSPFv3 IPv6 unless told (RFC 5838). */
export function domainKey(inst: OspfInstance): { key: string; family: AddressFamily } {
  const family: AddressFamily = inst.version === 2 ? "ipv4" : (inst.address_family ?? "ipv6");
  return { key: `ospfv${inst.version}/${family}`, family };
}

/** A prefix written as its network, or undefined when the text is not a prefix. */
export function networkText(text: string): { prefix: string; family: AddressFamily } | undefined {
  const p = parsePrefix(text);
  if (!p) return undefined;
  return { prefix: formatPrefix({ ...p, address: networkOf(p) }), family: familyOf(p.family) };
}

function interfacesOf(intent: DeviceIntent): { name: string; addresses: string[] }[] {
  return [
    ...(intent.interfaces ?? []).map((i) => ({ name: i.name, addresses: i.addresses ?? [] })),
    ...(intent.wireguard ?? []).map((w) => ({ name: w.name, addresses: w.addresses ?? [] })),
  ];
}

function connectedOf(intent: DeviceIntent, router: string, owners: Topology["owners"]): Connected[] {
  const out: Connected[] = [];
  const seen = new Set<string>();
  for (const iface of interfacesOf(intent)) {
    for (const a of iface.addresses) {
      const p = parsePrefix(a);
      if (!p) continue;
      const addr = { family: p.family, value: p.address };
      // Link-local addresses route nothing beyond the link.
      if (isLinkLocal(addr)) continue;
      owners.set(formatAddress(addr), { router, interface: iface.name });
      const net = formatPrefix({ ...p, address: networkOf(p) });
      const key = `${net} ${iface.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ prefix: net, family: familyOf(p.family), interface: iface.name });
    }
  }
  return out;
}

/** Builds the topology of one revision, with the failure's links and devices left out. */
export function buildTopology(input: RoutingInput, failure: Failure = {}): Topology {
  const downLinks = new Set(failure.links ?? []);
  const downDevices = new Set(failure.devices ?? []);
  const routers = Object.keys(input.expanded)
    .filter((r) => !downDevices.has(r))
    .sort();
  const intents = new Map<string, DeviceIntent>();
  const connected = new Map<string, Connected[]>();
  const owners: Topology["owners"] = new Map();
  const notes: string[] = [];
  for (const r of routers) {
    const intent = input.expanded[r] as DeviceIntent;
    intents.set(r, intent);
    connected.set(r, connectedOf(intent, r, owners));
  }

  const peers: Topology["peers"] = new Map(routers.map((r) => [r, new Map()]));
  const deadEnds = new Set<string>();
  for (const link of input.links) {
    if (downLinks.has(link.name)) {
      for (const e of link.ends) deadEnds.add(`${e.device} ${e.interface}`);
      continue;
    }
    const [a, b] = link.ends;
    if (!a || !b || !intents.has(a.device) || !intents.has(b.device)) continue;
    peers.get(a.device)?.set(a.interface, { router: b.device, interface: b.interface, link: link.name });
    peers.get(b.device)?.set(b.interface, { router: a.device, interface: a.interface, link: link.name });
  }

  // Per router and domain: each OSPF interface's area, passiveness and cost.
  type Membership = Map<string, { area: string; passive: boolean; cost: number }>;
  const member = new Map<string, Map<string, Membership>>(); // domain -> router -> iface -> m
  const domains = new Map<string, Domain>();
  const areaOf = (d: Domain, id: string): Area => {
    let area = d.areas.get(id);
    if (!area) {
      area = { id, routers: new Set(), adjacencies: [], adverts: [] };
      d.areas.set(id, area);
    }
    return area;
  };
  for (const r of routers) {
    const intent = intents.get(r) as DeviceIntent;
    const byName = new Map(interfacesOf(intent).map((i) => [i.name, i.addresses]));
    const seenKeys = new Set<string>();
    for (const inst of intent.ospf?.instances ?? []) {
      const { key, family } = domainKey(inst);
      if (seenKeys.has(key)) {
        notes.push(`${r}: a second OSPF instance of ${key} (${inst.name}) is not modelled`);
        continue;
      }
      seenKeys.add(key);
      if (inst.redistribute?.length)
        notes.push(
          `${r} ${inst.name}: redistribution into OSPF (${inst.redistribute.join(", ")}) is not modelled`,
        );
      let domain = domains.get(key);
      if (!domain) {
        domain = { key, family, areas: new Map() };
        domains.set(key, domain);
      }
      let mine = member.get(key);
      if (!mine) {
        mine = new Map();
        member.set(key, mine);
      }
      const m: Membership = new Map();
      mine.set(r, m);
      for (const a of inst.areas) {
        const area = areaOf(domain, a.id);
        area.routers.add(r);
        if (a.stub)
          notes.push(`${r} ${inst.name}: area ${a.id} is a stub area; its default route is not modelled`);
        for (const s of a.stub_networks ?? []) {
          const n = networkText(s);
          if (n && n.family === family)
            area.adverts.push({ router: r, prefix: n.prefix, cost: DEFAULT_OSPF_COST });
        }
        for (const i of a.interfaces ?? []) {
          const cost = i.cost ?? DEFAULT_OSPF_COST;
          m.set(i.name, { area: a.id, passive: i.passive === true, cost });
          for (const addr of byName.get(i.name) ?? []) {
            const p = parsePrefix(addr);
            if (!p || familyOf(p.family) !== family || isLinkLocal({ family: p.family, value: p.address }))
              continue;
            area.adverts.push({ router: r, prefix: formatPrefix({ ...p, address: networkOf(p) }), cost });
          }
        }
      }
    }
  }

  // Adjacencies: both ends of a link in the same domain and area, neither passive.
  for (const link of input.links) {
    if (downLinks.has(link.name)) continue;
    const [a, b] = link.ends;
    if (!a || !b || !intents.has(a.device) || !intents.has(b.device)) continue;
    for (const [key, mine] of member) {
      const ma = mine.get(a.device)?.get(a.interface);
      const mb = mine.get(b.device)?.get(b.interface);
      if (!ma || !mb || ma.passive || mb.passive) continue;
      if (ma.area !== mb.area) {
        notes.push(
          `link ${link.name}: the ends are in areas ${ma.area} and ${mb.area} (${key}): no adjacency`,
        );
        continue;
      }
      const area = (domains.get(key) as Domain).areas.get(ma.area) as Area;
      area.adjacencies.push(
        {
          from: a.device,
          to: b.device,
          fromInterface: a.interface,
          toInterface: b.interface,
          cost: ma.cost,
          link: link.name,
        },
        {
          from: b.device,
          to: a.device,
          fromInterface: b.interface,
          toInterface: a.interface,
          cost: mb.cost,
          link: link.name,
        },
      );
    }
  }
  return { routers, intents, connected, owners, peers, domains, deadEnds, notes };
}
