// MikroTik RouterOS v7: what the loader and the planner need to know without a device.
import type { PlatformDescriptor } from "../descriptor.ts";
import { routerosFindings } from "./checks.ts";
import { ROUTEROS_DEFAULTS } from "./vocabulary.ts";

export const routerosDescriptor: PlatformDescriptor = {
  platform: "routeros",
  sections: ["interfaces", "wireguard", "ospf", "bgp", "static_routes", "forwarding", "firewall", "raw"],
  // Raw commands run in the order written: a later line may refer to what an earlier one adds.
  raw: { routeros: { ordered: true } },
  // RouterOS v7 has a built-in loopback interface named lo.
  implicitInterfaces: ["lo"],
  // No rule checked yet: RouterOS accepts free-form interface names.
  interfaceNameProblem: () => undefined,
  routingSuite: () => "routeros",
  check: routerosFindings,
  defaults: ROUTEROS_DEFAULTS,
};
