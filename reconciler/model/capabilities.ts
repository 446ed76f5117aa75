// Which sections of the desired state each platform's driver manages. A section a platform
// does not manage is an input error, not something silently ignored.
import type { DeviceIntent } from "../schema/device.ts";
import type { Platform } from "../schema/inventory.ts";

export type Section = Exclude<keyof DeviceIntent, "description">;
export type RawKind = keyof NonNullable<DeviceIntent["raw"]>;

export const PLATFORM_SECTIONS: Record<Platform, readonly Section[]> = {
  debian: ["routing_daemon", "interfaces", "wireguard", "ospf", "bgp", "static_routes", "forwarding", "raw"],
  routeros: ["interfaces", "wireguard", "ospf", "bgp", "static_routes", "forwarding", "firewall", "raw"],
  opnsense: ["interfaces", "wireguard", "ospf", "bgp", "static_routes", "firewall", "raw"],
  opengear: [
    "interfaces",
    "wireguard",
    "static_routes",
    "serial_ports",
    "cellular_failover",
    "snmp",
    "users",
    "management_vpn",
    "raw",
  ],
};

/** The raw escape hatches each platform accepts; Debian's depends on its routing daemon. */
export const PLATFORM_RAW: Record<Platform, readonly RawKind[]> = {
  debian: ["bird", "frr"],
  routeros: ["routeros"],
  opnsense: ["opnsense"],
  opengear: ["opengear"],
};

/** The routing suite that runs OSPF/BGP: on OPNsense it is the FRR plugin. */
export function routingSuite(
  platform: Platform,
  intent: DeviceIntent,
): "bird" | "frr" | "routeros" | undefined {
  if (platform === "debian") return intent.routing_daemon;
  if (platform === "opnsense") return "frr";
  if (platform === "routeros") return "routeros";
  return undefined;
}

/** Linux refuses names of 16 bytes or more and names with '/', ':' or whitespace; wg-quick is stricter. */
export function interfaceNameProblem(
  platform: Platform,
  name: string,
  wireguard: boolean,
): string | undefined {
  switch (platform) {
    case "debian":
    case "opengear":
      if (name.length > 15)
        return `a Linux interface name of at most 15 characters (this one has ${name.length})`;
      if (name === "." || name === ".." || /[/:\s]/.test(name))
        return "a Linux interface name without '/', ':' or whitespace";
      if (wireguard && !/^[a-zA-Z0-9_=+.-]{1,15}$/.test(name))
        return "a wg-quick interface name: letters, digits and _=+.-";
      return undefined;
    case "opnsense":
      // OPNsense names WireGuard instances wg0, wg1, ...; FreeBSD limits names to 15 characters.
      if (wireguard && !/^wg[0-9]{1,4}$/.test(name))
        return "an OPNsense WireGuard device name: wg0, wg1, ...";
      if (name.length > 15)
        return `a FreeBSD interface name of at most 15 characters (this one has ${name.length})`;
      return undefined;
    case "routeros":
      return undefined;
  }
}
