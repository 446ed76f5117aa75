// One pass of the health gate on an OPNsense box: one script, one round trip. FRR (the os-frr
// plugin) answers through vtysh as on any FRR router: the OSPF neighbours, the BGP sessions and
// the routes of its RIB (FreeBSD's routing table has no JSON form; FRR's RIB is what the routing
// daemon installed); WireGuard through wg, as on Debian. Then the pure collection of what it
// printed as observations, which the shared evaluator holds against the probes.
import type { HealthProbe, Observation } from "../../../drivers/health.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import { parseFrrOspfNeighbors } from "../../debian/apply/parse-health.ts";
import { PATH_LINE } from "../../kit/layout.ts";
import { sectionFunctions } from "../../kit/sections.ts";
import { observeWireguard, wireguardSectionLines } from "../../kit/wireguard-health.ts";
import { firewallLines, observeFirewall } from "./firewall-health.ts";
import { runDir } from "./layout.ts";

type Probe<K extends HealthProbe["kind"]> = Extract<HealthProbe, { kind: K }>;
const ofKind = <K extends HealthProbe["kind"]>(probes: readonly HealthProbe[], kind: K) =>
  probes.filter((p) => p.kind === kind) as Probe<K>[];

/** An interface name as OPNsense (FreeBSD) has them: checked before it reaches the script. */
function ifname(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.-]{0,14}$/.test(name))
    throw new Error(`not an interface name: ${JSON.stringify(name)}`);
  return name;
}

export function healthScript(runId: string, probes: readonly HealthProbe[], nonce: string): string {
  const L = [
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    ...sectionFunctions(nonce),
    "section now date +%s",
    `section committed-at cat ${q(`${runDir(runId)}/committed-at`)}`,
  ];
  if (ofKind(probes, "ospf-adjacency").length > 0)
    L.push(`section frr:ospf vtysh -c 'show ip ospf neighbor json'`);
  if (ofKind(probes, "bgp-session").length > 0) L.push(`section frr:bgp vtysh -c 'show bgp summary json'`);
  const wgIfs = [...new Set(ofKind(probes, "wireguard-tunnel").map((p) => ifname(p.interface)))];
  L.push(...wireguardSectionLines(wgIfs, runDir(runId)));
  if (ofKind(probes, "route").length > 0)
    L.push(
      `section frr:route4 vtysh -c 'show ip route json'`,
      `section frr:route6 vtysh -c 'show ipv6 route json'`,
    );
  L.push("exit 0", "");
  return L.join("\n");
}

export interface HealthOutputs {
  get(name: string): { text: string; rc: string } | undefined;
}

/** FRR's RIB protocols that are a routing daemon's (connected and kernel routes are not). */
const DAEMON_PROTOCOLS = new Set(["ospf", "ospf6", "bgp", "static", "isis", "rip", "ripng"]);

export function observeHealth(probes: readonly HealthProbe[], out: HealthOutputs): Observation[] {
  const seen: Observation[] = [];
  const unreadable = (about: HealthProbe["kind"], what: string, why: string) =>
    seen.push({ kind: "unreadable", about, what, why });
  const json = (about: HealthProbe["kind"], name: string): unknown => {
    const s = out.get(name);
    if (!s) return void unreadable(about, name, "no output");
    if (s.rc !== "0") return void unreadable(about, name, s.text.trim().slice(0, 500) || `status ${s.rc}`);
    try {
      return JSON.parse(s.text) as unknown;
    } catch {
      return void unreadable(about, name, "not JSON");
    }
  };

  const ospf = ofKind(probes, "ospf-adjacency");
  if (ospf.length > 0) {
    const s = out.get("frr:ospf");
    if (s?.rc === "0") {
      try {
        for (const n of parseFrrOspfNeighbors(s.text, "ospf")) seen.push({ kind: "ospf-neighbor", ...n });
        for (const iface of new Set(ospf.map((p) => p.interface)))
          seen.push({ kind: "ospf-interface", interface: iface, instances: ["ospf"] });
      } catch (e) {
        unreadable("ospf-adjacency", "frr:ospf", `unreadable (${(e as Error).message})`);
      }
    } else unreadable("ospf-adjacency", "frr:ospf", s ? s.text.trim() || `status ${s.rc}` : "no output");
  }

  if (ofKind(probes, "bgp-session").length > 0) {
    const doc = json("bgp-session", "frr:bgp");
    if (doc && typeof doc === "object")
      for (const family of Object.values(doc as Record<string, unknown>)) {
        const peers = (family as { peers?: Record<string, { state?: unknown }> } | null)?.peers;
        if (!peers || typeof peers !== "object") continue;
        for (const [neighbor, p] of Object.entries(peers))
          seen.push({ kind: "bgp-session", neighbor, state: String(p?.state ?? "unknown").slice(0, 40) });
      }
  }

  seen.push(...observeWireguard(probes, (name) => out.get(name)));

  if (ofKind(probes, "route").length > 0) {
    seen.push({ kind: "route-source", protocols: [...DAEMON_PROTOCOLS].join("|") });
    for (const name of ["frr:route4", "frr:route6"]) {
      const doc = json("route", name);
      if (!doc || typeof doc !== "object") continue;
      for (const [prefix, entries] of Object.entries(doc as Record<string, unknown>)) {
        if (!Array.isArray(entries)) continue;
        const chosen = entries.find((e) => (e as { selected?: unknown })?.selected === true) ?? entries[0];
        const protocol = String((chosen as { protocol?: unknown })?.protocol ?? "unknown").slice(0, 20);
        seen.push({ kind: "route", prefix, protocol, fromDaemon: DAEMON_PROTOCOLS.has(protocol) });
      }
    }
  }

  seen.push(...observeFirewall(probes, (name) => out.get(name)));

  for (const k of ["serial-port", "cellular-failover", "management-path"] as const)
    if (ofKind(probes, k).length > 0) unreadable(k, k, "not something the OPNsense driver checks");
  return seen;
}
