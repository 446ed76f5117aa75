// MikroTik RouterOS v7: no driver yet, only what the loader and the planner need to know.
import { noChecks, type PlatformDescriptor } from "../descriptor.ts";

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
  check: noChecks,
};
