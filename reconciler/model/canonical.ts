// Canonical spellings and orders, so that a value written by hand, one rendered from git and one
// reported by the kernel compare equal when they mean the same thing: addresses lowercase and
// compressed (RFC 5952), sets sorted (IPv4 before IPv6, then numerically), duplicates removed.
import { formatAddress, formatPrefix, type IpPrefix, networkOf, parseAddress, parsePrefix } from "./ip.ts";

/** An address, canonical; text that is not an address is returned as written. */
export function canonAddress(text: string): string {
  const a = parseAddress(text);
  return a ? formatAddress(a) : text;
}

/** An interface address (host bits kept): 2001:DB8:0::1/64 -> 2001:db8::1/64. */
export function canonInterfaceAddress(text: string): string {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : text;
}

/** A network (host bits cleared, as WireGuard and the kernel store allowed IPs and routes). */
export function canonNetwork(text: string): string {
  const p = parsePrefix(text);
  return p ? formatPrefix({ ...p, address: networkOf(p) }) : text;
}

/** host:port with IPv6 hosts in brackets and canonical; names lowercase. */
export function canonEndpoint(text: string): string {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]+)$/.exec(text);
  if (!m) return text;
  const port = String(Number(m[3]));
  if (m[1] !== undefined) return `[${canonAddress(m[1])}]:${port}`;
  const host = m[2] ?? "";
  const a = parseAddress(host);
  return `${a ? formatAddress(a) : host.toLowerCase()}:${port}`;
}

function sortKey(text: string): { family: number; value: bigint; length: number } | undefined {
  const p: IpPrefix | undefined = parsePrefix(text);
  if (p) return { family: p.family, value: p.address, length: p.length };
  const a = parseAddress(text);
  if (a) return { family: a.family, value: a.value, length: a.family === 4 ? 32 : 128 };
  return undefined;
}

/** IPv4 before IPv6, then by address, then by prefix length; unparsable text last, by text. */
export function compareIp(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  if (ka && kb) {
    if (ka.family !== kb.family) return ka.family - kb.family;
    if (ka.value !== kb.value) return ka.value < kb.value ? -1 : 1;
    return ka.length - kb.length;
  }
  if (ka) return -1;
  if (kb) return 1;
  return compareText(a, b);
}

/** Plain code-point order: stable across locales, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A set of addresses or prefixes: canonical, sorted, without duplicates. */
export function ipSet(values: readonly string[], canon: (text: string) => string): string[] {
  return [...new Set(values.map(canon))].sort(compareIp);
}

export function byKey<T>(key: (item: T) => string, compare: (a: string, b: string) => number = compareText) {
  return (a: T, b: T) => compare(key(a), key(b));
}

/** The address family of an address or prefix, by its syntax. */
export function familyOf(text: string): "ipv4" | "ipv6" {
  return text.includes(":") ? "ipv6" : "ipv4";
}
