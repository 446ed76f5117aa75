// One pass of the health gate on an Opengear box: one script, one round trip, with the box's own
// tools (ogcli, wg, ping, tailscale, /proc). Then the pure collection of what it printed as
// observations, which the shared evaluator holds against the probes:
// - serial-port: `ogcli get port ports-N` holds what git asks for that port;
// - cellular-failover: failover/settings enabled with the desired probe address, and
//   failover/status neither disabled nor unknown;
// - wireguard-tunnel: a handshake newer than the commit, or packets from the peer since it (the
//   peer's tunnel address pinged first);
// - management-path: a ping to the address; two pseudo-addresses the driver's own probes use:
//   `tailscale:self` (Tailscale's backend Running and this node Online, from `tailscale status
//   --json`) and `snmp:161` (the agent bound to UDP 161, from /proc/net/udp*).
import type { HealthProbe, Observation } from "../../../drivers/health.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import { PATH_LINE } from "../../kit/layout.ts";
import { sectionFunctions } from "../../kit/sections.ts";
import { observeWireguard, wireguardSectionLines } from "../../kit/wireguard-health.ts";
import { normalizePort } from "../normalize.ts";
import { fieldMap, parseGet, text } from "../ogcli-format.ts";
import { MODE_TO_OG, portId } from "../vocabulary.ts";
import { runDir } from "./layout.ts";

export const TAILSCALE_SELF = "tailscale:self";
export const SNMP_LISTENING = "snmp:161";

type Probe<K extends HealthProbe["kind"]> = Extract<HealthProbe, { kind: K }>;
const ofKind = <K extends HealthProbe["kind"]>(probes: readonly HealthProbe[], kind: K) =>
  probes.filter((p) => p.kind === kind) as Probe<K>[];

/**
 * What a healthy Opengear looks like after a change, from its desired state: every described
 * console port, the failover armed, the management VPN up, SNMP listening. (The shared
 * expectations derive only link probes; the executor adds these for an Opengear.)
 */
export function opengearHealthProbes(intent: DeviceIntent): HealthProbe[] {
  const out: HealthProbe[] = (intent.serial_ports ?? []).map((p) => ({
    kind: "serial-port",
    port: portId(p.port),
  }));
  if (intent.cellular_failover?.enabled) out.push({ kind: "cellular-failover" });
  const vpn = intent.management_vpn;
  if (vpn?.type === "tailscale") out.push({ kind: "management-path", address: TAILSCALE_SELF });
  if (vpn?.type === "wireguard")
    for (const w of intent.wireguard ?? [])
      if (w.name === vpn.interface)
        for (const p of w.peers)
          out.push({ kind: "wireguard-tunnel", interface: w.name, publicKey: p.public_key });
  if (intent.snmp?.enabled) out.push({ kind: "management-path", address: SNMP_LISTENING });
  return out;
}

function ifname(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.-]{0,14}$/.test(name))
    throw new Error(`not an interface name: ${JSON.stringify(name)}`);
  return name;
}
function address(a: string): string {
  if (!/^[0-9A-Fa-f.:]{2,45}$/.test(a)) throw new Error(`not an address: ${JSON.stringify(a)}`);
  return a;
}
const portOf = (p: string) => {
  const m = /^(?:ports-)?([1-9][0-9]{0,2})$/.exec(p);
  return m ? Number(m[1]) : undefined;
};

export function healthScript(runId: string, probes: readonly HealthProbe[], nonce: string): string {
  const L = [
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    ...sectionFunctions(nonce),
    "section now date +%s",
    `section committed-at cat ${q(`${runDir(runId)}/committed-at`)}`,
  ];
  for (const p of ofKind(probes, "serial-port")) {
    const n = portOf(p.port);
    if (n !== undefined) L.push(`section ${q(`port:${n}`)} ogcli get port ${q(portId(n))}`);
  }
  if (ofKind(probes, "cellular-failover").length > 0)
    L.push(
      "section failover:settings ogcli get failover/settings",
      "section failover:status ogcli get failover/status",
    );
  for (const p of ofKind(probes, "wireguard-tunnel")) {
    if (p.probe) L.push(`ping -c 1 -W 2 ${q(address(p.probe))} > /dev/null 2>&1`);
  }
  L.push(
    ...wireguardSectionLines(
      [...new Set(ofKind(probes, "wireguard-tunnel").map((p) => ifname(p.interface)))],
      runDir(runId),
    ),
  );
  for (const p of ofKind(probes, "management-path")) {
    if (p.address === TAILSCALE_SELF) L.push(`section ${q(`path:${p.address}`)} tailscale status --json`);
    else if (p.address === SNMP_LISTENING)
      L.push(
        `section ${q(`path:${p.address}`)} awk 'FNR > 1 && $2 ~ /:00A1$/ { print "udp " $2; n++ } END { exit n ? 0 : 1 }' /proc/net/udp /proc/net/udp6`,
      );
    else L.push(`section ${q(`path:${p.address}`)} ping -c 1 -W 2 ${q(address(p.address))}`);
  }
  L.push("exit 0", "");
  return L.join("\n");
}

export interface HealthOutputs {
  get(name: string): { text: string; rc: string } | undefined;
}

/** Differences between what `ogcli get port` printed and what git asks of that port. */
function portDifferences(text_: string, want: DeviceIntent["serial_ports"], n: number): string[] {
  const desired = want?.find((p) => p.port === n);
  if (!desired) return ["not described in git"];
  const d = normalizePort(desired);
  const f = fieldMap(parseGet(text_));
  const expect: [string, string][] = [
    ["label", d.label],
    ["mode", MODE_TO_OG[d.mode ?? "console_server"]],
    ["baudrate", String(d.baud)],
    ["databits", String(d.data_bits)],
    ["parity", d.parity ?? "none"],
    ["stopbits", String(d.stop_bits)],
  ];
  return expect
    .filter(([k, v]) => text(f.get(k)) !== v)
    .map(([k, v]) => `${k} ${text(f.get(k)) ?? "unset"} (want ${v})`);
}

export function observeHealth(
  probes: readonly HealthProbe[],
  out: HealthOutputs,
  intent: DeviceIntent,
): Observation[] {
  const seen: Observation[] = [];
  const unreadable = (about: HealthProbe["kind"], what: string, why: string) =>
    seen.push({ kind: "unreadable", about, what, why });

  for (const p of ofKind(probes, "serial-port")) {
    const n = portOf(p.port);
    const s = n === undefined ? undefined : out.get(`port:${n}`);
    if (n === undefined)
      seen.push({ kind: "serial-port", port: p.port, configured: false, detail: "not a port id" });
    else if (s?.rc !== "0")
      unreadable(
        "serial-port",
        `ogcli get port ${portId(n)}`,
        s ? s.text.trim().slice(0, 300) || `status ${s.rc}` : "no output",
      );
    else {
      const diff = portDifferences(s.text, intent.serial_ports, n);
      seen.push({
        kind: "serial-port",
        port: p.port,
        configured: diff.length === 0,
        detail: diff.length ? diff.join("; ") : "as desired",
      });
    }
  }

  if (ofKind(probes, "cellular-failover").length > 0) {
    const set = out.get("failover:settings");
    const st = out.get("failover:status");
    if (set?.rc !== "0")
      unreadable("cellular-failover", "ogcli get failover/settings", set?.text.trim() || "no output");
    else {
      const f = fieldMap(parseGet(set.text));
      const status =
        st?.rc === "0" ? (text(fieldMap(parseGet(st.text)).get("status")) ?? "unknown") : "unreadable";
      const want = intent.cellular_failover?.probe_address;
      const enabled = text(f.get("enabled")) === "true";
      const probe = text(f.get("probe_address"));
      const armed =
        enabled && probe === want && status !== "disabled" && status !== "unknown" && status !== "unreadable";
      seen.push({
        kind: "cellular-failover",
        armed,
        detail: `enabled ${enabled}, probe ${probe ?? "unset"}${want && probe !== want ? ` (want ${want})` : ""}, status ${status}`,
      });
    }
  }

  seen.push(...observeWireguard(probes, (name) => out.get(name)));

  for (const p of ofKind(probes, "management-path")) {
    const s = out.get(`path:${p.address}`);
    if (!s) {
      unreadable("management-path", p.address, "no output");
      continue;
    }
    if (p.address === TAILSCALE_SELF) {
      let running = false;
      let online = false;
      try {
        const doc = JSON.parse(s.text) as { BackendState?: unknown; Self?: { Online?: unknown } };
        running = doc.BackendState === "Running";
        online = doc.Self?.Online === true;
      } catch {
        // not JSON: not running as far as we can tell
      }
      seen.push({
        kind: "management-path",
        address: p.address,
        reachable: running && online,
        detail: `tailscale ${running ? "running" : "not running"}, ${online ? "online" : "offline"}`,
      });
    } else
      seen.push({
        kind: "management-path",
        address: p.address,
        reachable: s.rc === "0",
        detail: s.rc === "0" ? "answers" : s.text.trim().split("\n").pop()?.slice(0, 200) || `status ${s.rc}`,
      });
  }
  for (const k of ["ospf-adjacency", "bgp-session", "route"] as const)
    if (ofKind(probes, k).length > 0)
      unreadable(k, k, "an Opengear runs no routing daemon the driver manages");
  return seen;
}
