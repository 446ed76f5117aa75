// Opengear console servers (Linux, configured with ogcli). No driver yet, only what the loader
// and the planner need to know.
import { noChecks, type PlatformDescriptor } from "../descriptor.ts";
import { linuxInterfaceNameProblem } from "../rules/linux-names.ts";

export const opengearDescriptor: PlatformDescriptor = {
  platform: "opengear",
  sections: [
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
  // Raw ogcli entities, one entry per entity.
  raw: { opengear: { key: "entity" } },
  implicitInterfaces: ["lo"],
  interfaceNameProblem: linuxInterfaceNameProblem,
  // No routing daemon is managed: static routes only.
  routingSuite: () => undefined,
  check: noChecks,
};
