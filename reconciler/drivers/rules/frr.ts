// What FRR cannot run, wherever it runs (a Debian router, OPNsense's FRR plugin).
import type { IntentFinding } from "../../model/platform.ts";
import type { DeviceIntent } from "../../schema/device.ts";

/** ospf6d implements OSPFv3 for IPv6 only: no RFC 5838 address families. */
export function frrOspfFindings(intent: DeviceIntent): IntentFinding[] {
  const out: IntentFinding[] = [];
  (intent.ospf?.instances ?? []).forEach((inst, ii) => {
    if (inst.version === 3 && inst.address_family === "ipv4") {
      out.push({
        path: ["ospf", "instances", ii, "address_family"],
        message: "FRR's ospf6d carries IPv6 only (no RFC 5838 IPv4 address family)",
        value: "ipv4",
        expected: "version 2 for IPv4 on FRR",
      });
    }
  });
  return out;
}
