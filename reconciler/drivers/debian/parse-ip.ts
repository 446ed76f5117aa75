// Parses `ip -j -d addr show` (iproute2 JSON): each link's name, kind (linkinfo.info_kind: dummy,
// bridge, vlan, veth, "tun" for wireguard-go, "wireguard" for the kernel module; none for
// Ethernet and loopback), MTU, VLAN parent and id, and the addresses someone configured. Addresses
// the kernel made by itself are left out: SLAAC/DHCP ones ("dynamic"), the IPv6 link-local it
// generates when a link comes up ("stable-privacy" on TUN and WireGuard links, EUI-64 from the
// MAC address on Ethernet-like ones), and the loopback's 127.0.0.1/8 and ::1/128.
import { parseAddress } from "../../model/ip.ts";
import { canonInterfaceAddress, compareIp } from "./canonical.ts";

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

interface JsonAddr {
  family?: string;
  local?: string;
  prefixlen?: number;
  dynamic?: boolean;
  "stable-privacy"?: boolean;
  temporary?: boolean;
}

interface JsonLink {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  link?: string;
  address?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number } };
  addr_info?: JsonAddr[];
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

export function parseIpAddrJson(text: string): IpLink[] {
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) throw new Error("ip -j addr show did not print a JSON array");
  return (data as JsonLink[])
    .filter((l) => typeof l.ifname === "string")
    .map((l) => {
      const loopback = (l.flags ?? []).includes("LOOPBACK");
      const generated = l.address ? eui64LinkLocal(l.address) : undefined;
      const addresses = (l.addr_info ?? [])
        .filter((a) => (a.family === "inet" || a.family === "inet6") && a.local && parseAddress(a.local))
        .filter((a) => !a.dynamic && !a["stable-privacy"] && !a.temporary)
        .map((a) => canonInterfaceAddress(`${a.local}/${a.prefixlen}`))
        .filter((a) => a !== generated && !(loopback && LOOPBACK_DEFAULTS.has(a)))
        .sort(compareIp);
      const link: IpLink = { name: l.ifname as string, loopback, addresses };
      if (l.linkinfo?.info_kind) link.kind = l.linkinfo.info_kind;
      if (typeof l.mtu === "number") link.mtu = l.mtu;
      if (link.kind === "vlan") {
        if (l.link) link.parent = l.link;
        if (typeof l.linkinfo?.info_data?.id === "number") link.vlanId = l.linkinfo.info_data.id;
      }
      return link;
    });
}
