// What the descriptor refuses or warns about, placed at file:line by the loader.
import { describe, expect, it } from "vitest";
import { opengearFindings } from "../../../reconciler/drivers/opengear/checks.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { oob1 } from "./helpers.ts";

const errors = (i: DeviceIntent) => opengearFindings(i).filter((f) => f.severity !== "warning");

describe("opengearFindings", () => {
  it("the example is clean; what the box cannot hold is warned about, never dropped silently", () => {
    expect(opengearFindings(oob1())).toEqual([]);
    const extra = oob1();
    extra.cellular_failover = {
      enabled: true,
      probe_address: "203.0.113.53",
      probe_interval_s: 60,
      failures_before_failover: 3,
    };
    if (extra.snmp) extra.snmp.allowed_from = ["198.51.100.128/26"];
    const f = opengearFindings(extra);
    expect(errors(extra)).toEqual([]);
    expect(f.map((x) => x.path.join("."))).toEqual([
      "cellular_failover.probe_interval_s",
      "cellular_failover.failures_before_failover",
      "snmp.allowed_from",
    ]);
  });

  it("refuses flow control, a port described twice, a label used twice", () => {
    const i: DeviceIntent = {
      serial_ports: [
        { port: 1, label: "a", baud: 9600, flow_control: "hardware" },
        { port: 1, label: "A", baud: 9600 },
      ],
    };
    expect(errors(i).map((f) => f.path.join("."))).toEqual([
      "serial_ports.0.flow_control",
      "serial_ports.1.port",
      "serial_ports.1.label",
    ]);
  });

  it("one SNMP v3 user; a WireGuard management VPN names an interface of the file", () => {
    const u = {
      auth_protocol: "SHA" as const,
      auth_password_env: "A",
      privacy_protocol: "AES" as const,
      privacy_password_env: "B",
    };
    const i: DeviceIntent = {
      snmp: {
        enabled: true,
        v3_users: [
          { name: "a", ...u },
          { name: "b", ...u },
        ],
      },
      management_vpn: { type: "wireguard", interface: "wg9" },
    };
    expect(errors(i).map((f) => f.path.join("."))).toEqual(["snmp.v3_users.1", "management_vpn.interface"]);
  });
});
