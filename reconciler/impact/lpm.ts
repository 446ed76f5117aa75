// Longest-prefix match over a router's table: the exact prefix first (what most lookups are),
// then each shorter length the table actually holds.
import { formatPrefix, type IpPrefix, parsePrefix } from "../model/ip.ts";

const parsed = new Map<string, IpPrefix | undefined>();

/** A parsed prefix, cached: the same few thousand prefix texts are looked up many times. */
export function prefixOf(text: string): IpPrefix | undefined {
  let p = parsed.get(text);
  if (p === undefined && !parsed.has(text)) {
    p = parsePrefix(text);
    if (parsed.size > 200_000) parsed.clear();
    parsed.set(text, p);
  }
  return p;
}

const BITS = { 4: 32, 6: 128 } as const;

/** The prefix lengths a table holds, per family, longest first. */
export function lengthsOf(keys: Iterable<string>): { 4: number[]; 6: number[] } {
  const l = { 4: new Set<number>(), 6: new Set<number>() };
  for (const k of keys) {
    const p = prefixOf(k);
    if (p) l[p.family].add(p.length);
  }
  return { 4: [...l[4]].sort((a, b) => b - a), 6: [...l[6]].sort((a, b) => b - a) };
}

/** The key of the most specific entry covering target (a prefix or a host written as /32, /128). */
export function longestMatch<T>(
  table: ReadonlyMap<string, T>,
  lengths: { 4: number[]; 6: number[] },
  target: string,
): string | undefined {
  if (table.has(target)) return target;
  const p = prefixOf(target);
  if (!p) return undefined;
  for (const len of lengths[p.family]) {
    if (len > p.length) continue;
    const mask = ((1n << BigInt(len)) - 1n) << BigInt(BITS[p.family] - len);
    const key = formatPrefix({ family: p.family, address: p.address & mask, length: len });
    if (table.has(key)) return key;
  }
  return undefined;
}

/** A host address as a prefix text (192.0.2.1 -> 192.0.2.1/32). */
export const hostPrefix = (address: string): string => `${address}/${address.includes(":") ? 128 : 32}`;
