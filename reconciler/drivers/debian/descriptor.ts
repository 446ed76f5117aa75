// The Debian platform: WireGuard, bird2 or FRR (chosen per device by routing_daemon), forwarding
// sysctls and ifupdown interfaces on a Linux kernel.
import type { IntentFinding } from "../../model/platform.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { PlatformDescriptor } from "../descriptor.ts";
import { frrOspfFindings } from "../rules/frr.ts";
import { linuxInterfaceNameProblem } from "../rules/linux-names.ts";
import * as defaults from "./defaults.ts";

/** Two daemons can run OSPF and BGP here: the file must name one, and raw text must be for it. */
function checkDebian(intent: DeviceIntent): IntentFinding[] {
  const out: IntentFinding[] = [];
  const suite = intent.routing_daemon;
  if ((intent.ospf || intent.bgp) && !suite) {
    out.push({
      path: [intent.ospf ? "ospf" : "bgp"],
      at: "key",
      message: "a Debian router with OSPF or BGP must say which daemon runs them",
      expected: "routing_daemon: bird or routing_daemon: frr",
    });
  }
  for (const kind of ["bird", "frr"] as const) {
    if (intent.raw?.[kind] === undefined || kind === suite) continue;
    out.push({
      path: ["raw", kind],
      at: "key",
      message: `raw ${kind} needs routing_daemon: ${kind} (this device runs ${suite ?? "no routing daemon"})`,
      expected: `raw ${suite ?? "nothing"}`,
    });
  }
  if (suite === "frr") out.push(...frrOspfFindings(intent));
  return out;
}

export const debianDescriptor: PlatformDescriptor = {
  platform: "debian",
  sections: [
    "routing_daemon",
    "interfaces",
    "wireguard",
    "ospf",
    "bgp",
    "static_routes",
    "forwarding",
    "raw",
  ],
  // Whole files: /etc/bird/bird.conf or /etc/frr/frr.conf, for the daemon the device runs.
  raw: { bird: { text: true }, frr: { text: true } },
  implicitInterfaces: ["lo"],
  interfaceNameProblem: linuxInterfaceNameProblem,
  routingSuite: (intent) => intent.routing_daemon,
  check: checkDebian,
  // wg-quick routes the allowed IPs unless "Table = off", which is what an unset table renders.
  allowedIpsAreRoutes: (tunnel) => tunnel.table === "auto",
  defaults,
};
