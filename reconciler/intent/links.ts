// Expands shared link intent into both ends' per-device state: a WireGuard interface with its
// one peer (one interface per link, so the routing daemon sees each link as its own ptp
// interface), the transfer-net and link-local addresses, and the OSPF interface.
// Pure: no I/O, inputs are never mutated.

import { formatAddress, nthAddress, parseAddress, parsePrefix } from "../model/ip.ts";
import type { DeviceIntent, OspfInterface, WireguardInterface, WireguardPeer } from "../schema/device.ts";
import type { Link, LinkOspf } from "../schema/links.ts";

export const LINK_DEFAULTS = {
  mtu: 1420,
  area: "0.0.0.0",
  type: "ptp",
  allowedIps: ["0.0.0.0/0", "::/0"],
} as const;

/** Public keys recorded in git: device -> interface -> key. */
export type PublicKeys = Readonly<Record<string, Readonly<Record<string, string>>>>;

export type EndIndex = 0 | 1;

export interface EffectiveLinkOspf extends LinkOspf {
  area: string;
  type: NonNullable<LinkOspf["type"]>;
}

/** The OSPF parameters one end runs: the link's, overridden by that end's own. */
export function effectiveOspf(link: Link, index: EndIndex): EffectiveLinkOspf | undefined {
  if (!link.ospf) return undefined;
  const end = link.ends[index];
  const merged = { ...link.ospf, ...(end?.ospf ?? {}) };
  return { ...merged, area: merged.area ?? LINK_DEFAULTS.area, type: merged.type ?? LINK_DEFAULTS.type };
}

export function effectiveMtu(link: Link, index: EndIndex): number {
  return link.ends[index]?.mtu ?? link.mtu ?? LINK_DEFAULTS.mtu;
}

/**
 * The addresses of one end inside the link's transfer nets: in a /31 or /127 (RFC 3021, RFC 6164)
 * the two ends take both addresses; in a longer-lived wider net, the first two host addresses.
 */
export function transferAddresses(link: Link, index: EndIndex): string[] {
  const out: string[] = [];
  for (const text of link.transfer_nets ?? []) {
    const p = parsePrefix(text);
    if (!p) continue;
    const bits = p.family === 4 ? 32 : 128;
    const n = bits - p.length <= 1 ? BigInt(index) : BigInt(index + 1);
    out.push(`${formatAddress(nthAddress(p, n))}/${p.length}`);
  }
  return out;
}

export function endAddresses(link: Link, index: EndIndex): string[] {
  const end = link.ends[index];
  return [...transferAddresses(link, index), ...(end?.link_local ? [end.link_local] : [])];
}

function endpointOf(host: string, port: number): string {
  return parseAddress(host)?.family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface ExpansionNote {
  link: number;
  end: EndIndex;
  message: string;
}

function peerFor(link: Link, index: EndIndex, keys: PublicKeys): WireguardPeer | undefined {
  const other = link.ends[index === 0 ? 1 : 0];
  if (!other) return undefined;
  const key = keys[other.device]?.[other.interface];
  if (!key) return undefined;
  const peer: WireguardPeer = {
    public_key: key,
    description: `${other.device} ${other.interface}`,
    allowed_ips: [...(link.allowed_ips ?? LINK_DEFAULTS.allowedIps)],
  };
  if (other.endpoint && other.listen_port) peer.endpoint = endpointOf(other.endpoint, other.listen_port);
  if (link.persistent_keepalive) peer.persistent_keepalive = link.persistent_keepalive;
  return peer;
}

function tunnelFor(link: Link, index: EndIndex, keys: PublicKeys): WireguardInterface {
  const end = link.ends[index];
  const other = link.ends[index === 0 ? 1 : 0];
  const peer = peerFor(link, index, keys);
  const tunnel: WireguardInterface = {
    name: end?.interface ?? "",
    addresses: endAddresses(link, index),
    mtu: effectiveMtu(link, index),
    table: "off",
    description: `link ${link.name} to ${other?.device ?? "?"}`,
    peers: peer ? [peer] : [],
  };
  if (end?.listen_port) tunnel.listen_port = end.listen_port;
  return tunnel;
}

function ospfInterfaceFor(name: string, o: EffectiveLinkOspf): OspfInterface {
  const { area: _area, ...params } = o;
  const out: OspfInterface = { name, ...params };
  // Drop keys whose value is undefined so the expanded state prints and compares cleanly.
  for (const k of Object.keys(out) as (keyof OspfInterface)[]) if (out[k] === undefined) delete out[k];
  return out;
}

function addOspfInterface(intent: DeviceIntent, area: string, iface: OspfInterface): void {
  for (const instance of intent.ospf?.instances ?? []) {
    let target = instance.areas.find((a) => a.id === area);
    if (!target) {
      target = { id: area };
      instance.areas.push(target);
    }
    target.interfaces = [...(target.interfaces ?? []), { ...iface }];
  }
}

/**
 * Each device's desired state with every link it ends expanded into it. Devices that end a link
 * but have no desired file get an empty state; a missing peer key leaves the peer out and is noted.
 */
export function expandLinks(
  intents: Readonly<Record<string, DeviceIntent>>,
  links: readonly Link[],
  keys: PublicKeys,
): { devices: Record<string, DeviceIntent>; notes: ExpansionNote[] } {
  const devices: Record<string, DeviceIntent> = structuredClone(intents) as Record<string, DeviceIntent>;
  const notes: ExpansionNote[] = [];
  links.forEach((link, li) => {
    for (const index of [0, 1] as const) {
      const end = link.ends[index];
      const other = link.ends[index === 0 ? 1 : 0];
      if (!end || !other) continue;
      const intent: DeviceIntent = devices[end.device] ?? {};
      devices[end.device] = intent;
      intent.wireguard = [...(intent.wireguard ?? []), tunnelFor(link, index, keys)];
      if (!keys[other.device]?.[other.interface]) {
        notes.push({
          link: li,
          end: index,
          message: `the public key of ${other.device} ${other.interface} is not recorded yet, so ${end.device} ${end.interface} gets no peer until it is`,
        });
      }
      const ospf = effectiveOspf(link, index);
      if (ospf) addOspfInterface(intent, ospf.area, ospfInterfaceFor(end.interface, ospf));
    }
  });
  return { devices, notes };
}
