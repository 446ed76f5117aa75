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
  // No raw escape hatch: the driver does not apply raw ogcli entities yet (docs/opengear.md), so a
  // desired file may not ask for one.
  raw: {},
  implicitInterfaces: ["lo"],
  interfaceNameProblem: linuxInterfaceNameProblem,
  // No routing daemon is managed.
  routingSuite: () => undefined,
  check: opengearFindings,
  // The box routes each peer's allowed IPs into the tunnel (it has no routing daemon).
  allowedIpsAreRoutes: () => true,
  defaults: { serialPort: PORT_DEFAULTS },
};

/** The rules, and what `reconciler console` reads (any descriptor may offer it): the SSH login of a serial port. */
export const opengearDescriptor = { ...rules, consoleLogin: opengearConsoleLogin };
