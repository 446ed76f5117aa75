// Opengear console servers (Operations Manager / CM8100 firmware, configured with ogcli): what
// the loader and the planner need to know. The driver beside it is driver.ts; its checks are
// checks.ts. Interfaces, static routes and raw ogcli entities are not managed yet (docs/opengear.md).
import type { PlatformDescriptor } from "../descriptor.ts";
import { linuxInterfaceNameProblem } from "../rules/linux-names.ts";
import { opengearFindings } from "./checks.ts";
import { opengearConsoleLogin } from "./console.ts";
import { PORT_DEFAULTS } from "./vocabulary.ts";

const rules: PlatformDescriptor = {
  platform: "opengear",
  sections: ["wireguard", "serial_ports", "cellular_failover", "snmp", "users", "management_vpn"],
  // Raw ogcli entities, one entry per entity (the schema's shape; the driver does not apply them yet).
  raw: { opengear: { key: "entity" } },
  implicitInterfaces: ["lo"],
  interfaceNameProblem: linuxInterfaceNameProblem,
  // No routing daemon is managed.
  routingSuite: () => undefined,
  check: opengearFindings,
  defaults: { serialPort: PORT_DEFAULTS },
};

/** The rules, and what `reconciler console` reads (any descriptor may offer it): the SSH login of a serial port. */
export const opengearDescriptor = { ...rules, consoleLogin: opengearConsoleLogin };
