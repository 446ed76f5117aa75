// The words config.xml uses for the model's values, both ways, and the small conversions read and
// render share (lists in one element, endpoints split in address and port).
import type { FirewallRule, OspfInterface } from "../../schema/device.ts";

/**
 * A secret is set (its value never read): what normalize makes of every `*_env` on both sides; the
 * same word as the other drivers', which import's secret namer knows as "unnamed".
 */
export const SECRET_SET = "SECRET_SET";

export const NETWORK_TYPES: Record<NonNullable<OspfInterface["type"]>, string> = {
  ptp: "point-to-point",
  broadcast: "broadcast",
  nbma: "non-broadcast",
  ptmp: "point-to-multipoint",
};

export const IP_PROTOCOLS: Record<NonNullable<FirewallRule["ip_version"]>, string> = {
  ipv4: "inet",
  ipv6: "inet6",
  any: "inet46",
};

/** Rule protocols; "any" is written as no <protocol> at all. */
export const PROTOCOLS: Record<Exclude<FirewallRule["protocol"], "any">, string> = {
  tcp: "tcp",
  udp: "udp",
  "tcp/udp": "tcp/udp",
  icmp: "icmp",
  icmpv6: "ipv6-icmp",
};

export function reverse<K extends string>(map: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<string, K>;
}

/** A comma-separated list element ("" is the empty list). */
export const csv = (text: string | undefined): string[] =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

/** WireGuard's name fields take [0-9a-zA-Z._-]{1,64}: a description made to fit. */
export function modelName(text: string | undefined, fallback: string): string {
  const t = (text ?? "").replace(/[^0-9A-Za-z._-]+/g, "_").slice(0, 64);
  return t === "" || /^_+$/.test(t) ? fallback : t;
}

/** host:port (IPv6 in brackets) → the two fields. */
export function splitEndpoint(endpoint: string): { host: string; port: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(endpoint) ?? /^([^:]+):(\d+)$/.exec(endpoint);
  if (!m) return { host: endpoint, port: "" };
  return { host: m[1] as string, port: m[2] as string };
}

export function joinEndpoint(host: string, port: string): string {
  const p = port === "" ? "51820" : port;
  return host.includes(":") ? `[${host}]:${p}` : `${host}:${p}`;
}

/** An integer field, or undefined when empty or not a number. */
export function int(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  return Number(text);
}

/** "wg1" → 1; undefined for another name. */
export function wgInstance(name: string): number | undefined {
  const m = /^wg(\d{1,4})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function loopbackId(name: string): number | undefined {
  const m = /^lo(\d{1,4})$/.exec(name);
  return m && m[1] !== "0" ? Number(m[1]) : undefined;
}
