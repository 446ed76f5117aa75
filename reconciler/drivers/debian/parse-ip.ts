// Parses `ip -j -d addr show` (iproute2 JSON): each link's name, kind (linkinfo.info_kind: dummy,
// bridge, vlan, veth, "tun" for wireguard-go, "wireguard" for the kernel module; none for
// Ethernet and loopback), MTU, VLAN parent and id, and the addresses someone configured. Addresses
// the kernel made by itself are left out: SLAAC/DHCP ones ("dynamic"), the IPv6 link-local it
// generates when a link comes up ("stable-privacy" on TUN and WireGuard links, EUI-64 from the
// MAC address on Ethernet-like ones), and the loopback's 127.0.0.1/8 and ::1/128.

import { canonInterfaceAddress, compareIp } from "../../model/canonical.ts";
import { parseAddress } from "../../model/ip.ts";
import { OutputFormatError } from "./parse-error.ts";

export interface IpLink {
  name: string;
  kind?: string;
  mtu?: number;
  /** The parent link of a VLAN (iproute2's "link"). */
  parent?: string;
  vlanId?: number;
  loopback: boolean;
  addresses: string[];
}

/** The EUI-64 link-local address the kernel derives from a MAC address. */
export function eui64LinkLocal(mac: string): string | undefined {
  const octets = mac.split(":").map((o) => Number.parseInt(o, 16));
  if (octets.length !== 6 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const b = [
    ((octets[0] as number) ^ 0x02) & 0xff,
    octets[1],
    octets[2],
    0xff,
    0xfe,
    octets[3],
    octets[4],
    octets[5],
  ];
  let value = 0xfe80n << 112n;
  for (const [i, o] of b.entries()) value |= BigInt(o as number) << BigInt(8 * (7 - i));
  return canonInterfaceAddress(`${formatHex(value)}/64`);
}

function formatHex(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return groups.join(":");
}

const LOOPBACK_DEFAULTS = new Set(["127.0.0.1/8", "::1/128"]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const stringOf = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * The links `ip -j -d addr show` printed. A field of an unexpected type is ignored like a missing
 * one (a device is not trusted to print iproute2's shapes); text that is not a JSON array throws
 * OutputFormatError.
 */
export function parseIpAddrJson(text: string): IpLink[] {
  const source = "ip -j -d addr show";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new OutputFormatError(source, `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new OutputFormatError(source, "did not print a JSON array");
  return data.filter(isObject).flatMap((l): IpLink[] => {
    const name = stringOf(l.ifname);
    if (name === undefined) return [];
    const flags = Array.isArray(l.flags) ? l.flags : [];
    const loopback = flags.includes("LOOPBACK");
    const mac = stringOf(l.address);
    const generated = mac ? eui64LinkLocal(mac) : undefined;
    const addrInfo = Array.isArray(l.addr_info) ? l.addr_info.filter(isObject) : [];
    const addresses = addrInfo
      .filter((a) => (a.family === "inet" || a.family === "inet6") && typeof a.local === "string")
      .filter((a) => parseAddress(a.local as string) && typeof a.prefixlen === "number")
      .filter((a) => !a.dynamic && !a["stable-privacy"] && !a.temporary)
      .map((a) => canonInterfaceAddress(`${a.local}/${a.prefixlen}`))
      .filter((a) => a !== generated && !(loopback && LOOPBACK_DEFAULTS.has(a)))
      .sort(compareIp);
    const link: IpLink = { name, loopback, addresses };
    const info = isObject(l.linkinfo) ? l.linkinfo : {};
    const kind = stringOf(info.info_kind);
    if (kind) link.kind = kind;
    if (typeof l.mtu === "number") link.mtu = l.mtu;
    if (link.kind === "vlan") {
      const parent = stringOf(l.link);
      if (parent) link.parent = parent;
      const data = isObject(info.info_data) ? info.info_data : {};
      if (typeof data.id === "number") link.vlanId = data.id;
    }
    return [link];
  });
}
