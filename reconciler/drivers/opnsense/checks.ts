// What OPNsense (config.xml, the WireGuard model, the FRR plugin's model) refuses although the
// schema allows it. The loader places each finding at its file:line.
import type { IntentFinding } from "../../model/platform.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { frrOspfFindings } from "../rules/frr.ts";
import { ANY_TOKEN, SECRET_ELEMENTS } from "./secrets.ts";
import { loopbackId } from "./vocabulary.ts";

/** Paths raw.opnsense may not write: what the model manages, and secrets. */
const MODELED = [
  /^OPNsense\/wireguard(\/|$)/,
  /^OPNsense\/quagga(\/|$)/,
  /^filter(\/|$)/,
  /^interfaces(\/|$)/,
  /^revision(\/|$)/,
];

function ospfFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const known = new Set([
    ...(intent.interfaces ?? []).filter((i) => i.kind === "loopback").map((i) => i.name),
    ...(intent.wireguard ?? []).map((w) => w.name),
  ]);
  let v2 = 0;
  (intent.ospf?.instances ?? []).forEach((inst, ii) => {
    if (inst.version === 3) {
      // An IPv4 OSPFv3 instance is refused already, by FRR's own rule, with the same fix.
      if (inst.address_family === "ipv4") return;
      out.push({
        path: ["ospf", "instances", ii, "version"],
        message: "OSPFv3 (the plugin's ospf6) is not managed by the OPNsense driver",
        value: "3",
        expected: "version 2",
      });
      return;
    }
    if (++v2 > 1)
      out.push({
        path: ["ospf", "instances", ii],
        at: "key",
        message: "the FRR plugin runs one OSPFv2 instance",
        expected: "one instance of version 2",
      });
    inst.areas.forEach((area, ai) => {
      if (area.stub)
        out.push({
          path: ["ospf", "instances", ii, "areas", ai, "stub"],
          message: "the FRR plugin's model has no stub areas",
          value: "true",
          expected: "no stub flag (or raw configuration through the GUI)",
        });
      (area.interfaces ?? []).forEach((i, xi) => {
        const at = ["ospf", "instances", ii, "areas", ai, "interfaces", xi] as const;
        if (!known.has(i.name))
          out.push({
            path: [...at, "name"],
            message: `OSPF on OPNsense needs ${i.name} to be a loopback or WireGuard interface described in this file (the driver assigns those)`,
            value: i.name,
          });
        if (i.wait !== undefined)
          out.push({
            path: [...at, "wait"],
            severity: "warning",
            message: "the FRR plugin has no OSPF wait interval: it is ignored",
            value: String(i.wait),
          });
        if (i.authentication?.type === "simple")
          out.push({
            path: [...at, "authentication", "type"],
            message: "the FRR plugin offers MD5 authentication only",
            value: "simple",
            expected: "cryptographic or none",
          });
      });
    });
  });
}

function bgpFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  const bgp = intent.bgp;
  if (!bgp) return;
  if (bgp.cluster_id !== undefined)
    out.push({
      path: ["bgp", "cluster_id"],
      message: "the FRR plugin's BGP model has no cluster id",
      value: bgp.cluster_id,
    });
  const addresses = [...(intent.interfaces ?? []), ...(intent.wireguard ?? [])].flatMap((i) =>
    (i.addresses ?? []).map((a) => a.split("/")[0]),
  );
  bgp.neighbors.forEach((n, ni) => {
    if (n.password_env !== undefined)
      out.push({
        path: ["bgp", "neighbors", ni, "password_env"],
        message: "BGP passwords are not managed by the OPNsense driver",
        value: n.password_env,
      });
    if (n.update_source !== undefined && !addresses.includes(n.update_source))
      out.push({
        path: ["bgp", "neighbors", ni, "update_source"],
        message: "OPNsense's update source is an interface: no interface in this file has this address",
        value: n.update_source,
        expected: "an address of a loopback or WireGuard interface of this file",
      });
  });
}

function interfaceFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  (intent.interfaces ?? []).forEach((i, ii) => {
    if (i.kind !== "loopback") {
      out.push({
        path: ["interfaces", ii, "kind"],
        message: "the OPNsense driver manages loopback interfaces only",
        value: i.kind,
        expected: "loopback",
      });
      return;
    }
    if (loopbackId(i.name) === undefined)
      out.push({
        path: ["interfaces", ii, "name"],
        message: "an OPNsense loopback is lo1, lo2, ... (lo0 is the system's)",
        value: i.name,
      });
    const v4 = (i.addresses ?? []).filter((a) => !a.includes(":")).length;
    const v6 = (i.addresses ?? []).length - v4;
    if (v4 > 1 || v6 > 1)
      out.push({
        path: ["interfaces", ii, "addresses"],
        message:
          "an OPNsense interface holds one IPv4 and one IPv6 address (more are virtual IPs, not managed)",
      });
  });
}

/** The alias model's description mask (OPNsense/Firewall/Alias.xml). */
const ALIAS_DESCRIPTION = /^[\t\n\v\f\r 0-9a-zA-Z.,_\u00a0-\uffff-]{1,255}$/u;

function firewallFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  (intent.firewall?.aliases ?? []).forEach((a, ai) => {
    if (a.description !== undefined && !ALIAS_DESCRIPTION.test(a.description))
      out.push({
        path: ["firewall", "aliases", ai, "description"],
        message: "OPNsense refuses this alias description",
        value: a.description,
        expected: "letters, digits, spaces and . , _ - (at most 255)",
      });
  });
  const seen = new Set<string>();
  (intent.firewall?.rules ?? []).forEach((r, ri) => {
    if (!r.interface)
      out.push({
        path: ["firewall", "rules", ri],
        at: "key",
        message: "an OPNsense rule needs an interface (floating rules are not managed)",
      });
    if (seen.has(r.description))
      out.push({
        path: ["firewall", "rules", ri, "description"],
        message: "two rules with one description: the OPNsense driver identifies its rules by description",
        value: r.description,
      });
    seen.add(r.description);
  });
}

function rawFindings(intent: DeviceIntent, out: IntentFinding[]): void {
  (intent.raw?.opnsense ?? []).forEach((r, ri) => {
    const last = r.path.split("/").pop() ?? "";
    if ((SECRET_ELEMENTS as readonly string[]).includes(last))
      out.push({
        path: ["raw", "opnsense", ri, "path"],
        message: "a secret element cannot be set from git",
        value: r.path,
      });
    if (MODELED.some((re) => re.test(r.path)))
      out.push({
        path: ["raw", "opnsense", ri, "path"],
        message:
          "this part of config.xml is managed through the model (wireguard, ospf, bgp, firewall, interfaces)",
        value: r.path,
      });
    if (ANY_TOKEN.test(r.value))
      out.push({
        path: ["raw", "opnsense", ri, "value"],
        message: "a raw value cannot name a secret token",
        value: r.value,
      });
  });
}

export function opnsenseFindings(intent: DeviceIntent): IntentFinding[] {
  const out: IntentFinding[] = [...frrOspfFindings(intent)];
  ospfFindings(intent, out);
  bgpFindings(intent, out);
  interfaceFindings(intent, out);
  firewallFindings(intent, out);
  rawFindings(intent, out);
  (intent.static_routes ?? []).forEach((_r, i) =>
    out.push({
      path: ["static_routes", i],
      at: "key",
      message: "static routes are not yet managed by the OPNsense driver (gateways are named objects there)",
    }),
  );
  return out;
}
