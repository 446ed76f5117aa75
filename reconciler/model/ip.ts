// IPv4/IPv6 addresses and prefixes as bigints: enough arithmetic for validation
// (overlaps, duplicates, host bits) and for carving /31 and /127 transfer nets.
// Pure and dependency-free so the planner and the schema formats can both use it.

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  value: bigint;
}

export interface IpPrefix {
  family: Family;
  /** The address as written (host bits may be set, as in an interface address). */
  address: bigint;
  length: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): string[] | undefined => {
    if (half === "") return [];
    const groups = half.split(":");
    const last = groups[groups.length - 1] ?? "";
    // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
    if (last.includes(".")) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      groups.splice(groups.length - 1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    }
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : undefined;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

export function parseAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return undefined;
  const length = Number(lenText);
  if (length > BITS[addr.family]) return undefined;
  return { family: addr.family, address: addr.value, length };
}

function hostMask(p: IpPrefix): bigint {
  return (1n << BigInt(BITS[p.family] - p.length)) - 1n;
}

export function networkOf(p: IpPrefix): bigint {
  return p.address & ~hostMask(p);
}

/** True when the prefix is written as a network (no host bits), as a route or stub network must be. */
export function isNetwork(p: IpPrefix): boolean {
  return (p.address & hostMask(p)) === 0n;
}

export function prefixesOverlap(a: IpPrefix, b: IpPrefix): boolean {
  if (a.family !== b.family) return false;
  const shorter = a.length <= b.length ? a : b;
  const mask = ~hostMask(shorter);
  return (a.address & mask) === (b.address & mask);
}

export function prefixContains(outer: IpPrefix, address: IpAddress): boolean {
  return outer.family === address.family && (address.value & ~hostMask(outer)) === networkOf(outer);
}

export function isLinkLocal(addr: IpAddress): boolean {
  return addr.family === 6 && addr.value >> 118n === 0x3fan; // fe80::/10
}

export function formatAddress(addr: IpAddress): string {
  if (addr.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((addr.value >> s) & 0xffn).toString()).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { start: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.len).join(":")}`;
}

export function formatPrefix(p: IpPrefix): string {
  return `${formatAddress({ family: p.family, value: p.address })}/${p.length}`;
}

/** The n-th address of a prefix's network (0 = the network address itself). */
export function nthAddress(p: IpPrefix, n: bigint): IpAddress {
  return { family: p.family, value: networkOf(p) + n };
}

export function addressOf(p: IpPrefix): IpAddress {
  return { family: p.family, value: p.address };
}
