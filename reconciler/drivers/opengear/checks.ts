// What an Opengear box refuses or cannot hold although the schema allows it. The loader places
// each finding at its file:line. Sources: Opengear's REST API v2 description (ports: baudrate,
// databits, parity, stopbits, mode, no flow control field; failover/settings: enabled,
// probe_physif, probe_address, nothing about timing), opengear.om's services/snmpd (one
// security_name: one v3 user), and the SSH port access syntax `user:label@box` (labels must be
// unique to name a port).
import type { IntentFinding } from "../../model/platform.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { OG_BAUD_RATES } from "./vocabulary.ts";

function portFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const numbers = new Map<number, number>();
  const labels = new Map<string, number>();
  (intent.serial_ports ?? []).forEach((p, i) => {
    const at = ["serial_ports", i] as const;
    if (numbers.has(p.port))
      out.push({
        path: [...at, "port"],
        message: `serial port ${p.port} is described twice`,
        value: String(p.port),
      });
    numbers.set(p.port, i);
    const l = p.label.toLowerCase();
    if (labels.has(l))
      out.push({
        path: [...at, "label"],
        message: `the label ${p.label} is already port ${intent.serial_ports?.[labels.get(l) ?? 0]?.port}'s: SSH port access (user:label@box) could not tell them apart`,
        value: p.label,
      });
    labels.set(l, i);
    if (!(OG_BAUD_RATES as readonly number[]).includes(p.baud))
      out.push({
        path: [...at, "baud"],
        message: "a baud rate the Opengear port does not offer",
        value: String(p.baud),
        expected: OG_BAUD_RATES.join(", "),
      });
    if (p.flow_control !== undefined && p.flow_control !== "none")
      out.push({
        path: [...at, "flow_control"],
        message:
          "the Opengear port model (ogcli, REST API v2) has no flow control setting the driver can write",
        value: p.flow_control,
        expected: "none (or leave it out)",
      });
    if (p.data_bits === 7 && (p.parity ?? "none") === "none")
      out.push({
        path: [...at, "parity"],
        severity: "warning",
        message: "7 data bits without parity is unusual for a console (7E1 or 8N1?)",
        value: "none",
      });
  });
}

function failoverFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const f = intent.cellular_failover;
  if (!f) return;
  for (const k of ["probe_interval_s", "failures_before_failover"] as const)
    if (f[k] !== undefined)
      out.push({
        path: ["cellular_failover", k],
        severity: "warning",
        message:
          "Opengear's failover settings have no such field (the box times its ping probe itself): ignored",
        value: String(f[k]),
      });
}

function snmpFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const s = intent.snmp;
  if (!s) return;
  (s.v3_users ?? []).forEach((u, i) => {
    if (i > 0)
      out.push({
        path: ["snmp", "v3_users", i],
        at: "key",
        message: "the Opengear SNMP agent (services/snmpd) holds a single v3 user",
        value: u.name,
        expected: "one v3 user",
      });
  });
  if (s.allowed_from?.length)
    out.push({
      path: ["snmp", "allowed_from"],
      severity: "warning",
      message:
        "on an Opengear, who may query SNMP is the firewall's zones and services, which this driver does not manage: ignored",
    });
}

function vpnFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const v = intent.management_vpn;
  if (!v) return;
  if (v.type === "wireguard") {
    if (!v.interface)
      out.push({
        path: ["management_vpn"],
        at: "key",
        message: "a WireGuard management VPN names its interface",
        expected: "interface: <a wireguard entry>",
      });
    else if (!(intent.wireguard ?? []).some((w) => w.name === v.interface))
      out.push({
        path: ["management_vpn", "interface"],
        message: `no WireGuard interface ${v.interface} in this file`,
        value: v.interface,
      });
  } else if (!v.auth_key_env)
    out.push({
      path: ["management_vpn"],
      at: "key",
      severity: "warning",
      message:
        "without auth_key_env, `tailscale up` waits for an interactive login the reconciler cannot give",
    });
  (intent.wireguard ?? []).forEach((w, i) => {
    if (w.table !== undefined)
      out.push({
        path: ["wireguard", i, "table"],
        severity: "warning",
        message: "an Opengear WireGuard tunnel has no table setting: ignored",
        value: w.table,
      });
  });
}

function userFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  (intent.users ?? []).forEach((u, i) => {
    if (u.ssh_authorized_keys?.length)
      out.push({
        path: ["users", i, "ssh_authorized_keys"],
        severity: "warning",
        message: "SSH keys of Opengear users are not managed by the driver yet: add them on the box",
      });
  });
}

export function opengearFindings(intent: DeviceIntent): IntentFinding[] {
  const out: IntentFinding[] = [];
  portFindings(intent, out);
  failoverFindings(intent, out);
  snmpFindings(intent, out);
  vpnFindings(intent, out);
  userFindings(intent, out);
  return out;
}
