// OPNsense: /conf/config.xml with WireGuard (core) and the FRR plugin, on FreeBSD: what the loader
// and the planner need to know. The driver beside it (driver.ts) edits config.xml in place.
import type { PlatformDescriptor } from "../descriptor.ts";
import { opnsenseFindings } from "./checks.ts";

/** OPNsense names WireGuard instances wg0, wg1, ...; FreeBSD limits names to 15 characters. */
function opnsenseInterfaceNameProblem(name: string, wireguard: boolean): string | undefined {
  if (wireguard && !/^wg[0-9]{1,4}$/.test(name)) return "an OPNsense WireGuard device name: wg0, wg1, ...";
  if (name.length > 15)
    return `a FreeBSD interface name of at most 15 characters (this one has ${name.length})`;
  return undefined;
}

export const opnsenseDescriptor: PlatformDescriptor = {
  platform: "opnsense",
  sections: ["interfaces", "wireguard", "ospf", "bgp", "static_routes", "firewall", "raw"],
  // Raw config.xml values, one per path: two entries for one path would be the same setting.
  raw: { opnsense: { key: "path" } },
  implicitInterfaces: ["lo0"],
  interfaceNameProblem: opnsenseInterfaceNameProblem,
  // OSPF and BGP run in the FRR plugin.
  routingSuite: () => "frr",
  // FRR's own limits, and what OPNsense's models cannot hold (checks.ts).
  check: opnsenseFindings,
  defaults: { wireguardTable: "auto", firewallDirection: "in", firewallIpVersion: "ipv4" },
};
