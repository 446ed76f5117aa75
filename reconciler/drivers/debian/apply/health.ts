// One pass of the health gate on a Debian router: one script, one round trip, then the pure
// collection of what it printed as observations (drivers/health.ts), which the shared evaluator
// (apply/evaluate-health.ts) holds against the probes.
import type { HealthProbe, Observation } from "../../../drivers/health.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import { sectionFunctions } from "../../kit/sections.ts";
import { observeWireguard, wireguardSectionLines } from "../../kit/wireguard-health.ts";
import { ifname, word } from "../guard.ts";
import { PATH_LINE, runDir } from "./layout.ts";
import {
  parseBirdOspfNeighbors,
  parseFrrOspfNeighbors,
  parseIpRoutes,
  parseLatestHandshakes,
} from "./parse-health.ts";

type Probe<K extends HealthProbe["kind"]> = Extract<HealthProbe, { kind: K }>;
const ofKind = <K extends HealthProbe["kind"]>(probes: readonly HealthProbe[], kind: K) =>
  probes.filter((p) => p.kind === kind) as Probe<K>[];

/** The OSPF instances the device runs, by name, with their version and interfaces. */
export function ospfInstances(
  intent: DeviceIntent,
): { name: string; version: number; interfaces: string[] }[] {
  return (intent.ospf?.instances ?? []).map((i) => ({
    name: i.name,
    version: i.version,
    interfaces: i.areas.flatMap((a) => (a.interfaces ?? []).map((x) => x.name)),
  }));
}

export function healthScript(
  runId: string,
  intent: DeviceIntent,
  probes: readonly HealthProbe[],
  nonce: string,
): string {
  const tunnels = ofKind(probes, "wireguard-tunnel");
  const L = [
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    ...sectionFunctions(nonce),
    `section now date +%s`,
    `section committed-at cat ${q(`${runDir(runId)}/committed-at`)}`,
  ];
  if (ofKind(probes, "ospf-adjacency").length > 0) {
    if (intent.routing_daemon === "frr") {
      L.push(`section frr:ospf vtysh -c 'show ip ospf neighbor json'`);
      if (ospfInstances(intent).some((i) => i.version === 3))
        L.push(`section frr:ospf6 vtysh -c 'show ipv6 ospf6 neighbor json'`);
    } else {
      for (const i of ospfInstances(intent))
        L.push(
          `section ${q(`bird:${i.name}`)} birdc show ospf neighbors ${q(word(i.name, "an OSPF instance name"))}`,
        );
    }
  }
  // Traffic through each tunnel first (a tunnel that nothing else uses must still prove itself):
  // pings to the peers' tunnel addresses, in parallel, their results ignored.
  const pinged = tunnels.filter((p) => p.probe);
  if (pinged.length > 0) {
    for (const p of pinged)
      L.push(
        `ping -n -q -c 2 -i 0.2 -W 1 -I ${q(ifname(p.interface))} ${q(word(p.probe as string, "a probe address"))} >/dev/null 2>&1 &`,
      );
    L.push("wait");
  }
  L.push(...wireguardSectionLines([...new Set(tunnels.map((p) => ifname(p.interface)))], runDir(runId)));
  if (ofKind(probes, "route").length > 0)
    L.push("section route4 ip -j route show", "section route6 ip -6 -j route show");
  L.push("exit 0", "");
  return L.join("\n");
}

export interface HealthOutputs {
  /** Section name -> text and status, as split from the script's output. */
  get(name: string): { text: string; rc: string } | undefined;
}

const ROUTE_PROTOCOLS = {
  bird: new Set(["bird", "12"]),
  frr: new Set(["ospf", "bgp", "static", "zebra", "zstatic", "isis", "186", "188", "196", "11"]),
};

/** What the health script printed, as observations for the probes asked. Pure. */
export function observeHealth(
  intent: DeviceIntent,
  probes: readonly HealthProbe[],
  out: HealthOutputs,
): Observation[] {
  const seen: Observation[] = [];
  const daemon = intent.routing_daemon === "frr" ? "frr" : "bird";
  // OSPF: the neighbour tables, and which instances run on each probed interface.
  if (ofKind(probes, "ospf-adjacency").length > 0) {
    const take = (name: string, parse: (t: string) => ReturnType<typeof parseBirdOspfNeighbors>) => {
      const s = out.get(name);
      if (!s) return seen.push({ kind: "unreadable", about: "ospf-adjacency", what: name, why: "no output" });
      if (s.rc !== "0")
        return seen.push({
          kind: "unreadable",
          about: "ospf-adjacency",
          what: name,
          why: s.text.trim() || `status ${s.rc}`,
        });
      try {
        for (const n of parse(s.text)) seen.push({ kind: "ospf-neighbor", ...n });
      } catch (e) {
        seen.push({
          kind: "unreadable",
          about: "ospf-adjacency",
          what: name,
          why: `unreadable (${(e as Error).message})`,
        });
      }
      return 0;
    };
    const instances = ospfInstances(intent);
    if (daemon === "frr") {
      take("frr:ospf", (t) => parseFrrOspfNeighbors(t, "ospf"));
      if (instances.some((i) => i.version === 3)) take("frr:ospf6", (t) => parseFrrOspfNeighbors(t, "ospf6"));
    } else for (const i of instances) take(`bird:${i.name}`, (t) => parseBirdOspfNeighbors(t, i.name));
    for (const iface of new Set(ofKind(probes, "ospf-adjacency").map((p) => p.interface))) {
      const running = instances
        .filter((i) => i.interfaces.includes(iface))
        .map((i) => (daemon === "frr" ? (i.version === 3 ? "ospf6" : "ospf") : i.name));
      seen.push({ kind: "ospf-interface", interface: iface, instances: [...new Set(running)] });
    }
  }
  // WireGuard: handshakes, and packets received since the commit (kit/wireguard-health.ts).
  seen.push(...observeWireguard(probes, (name) => out.get(name)));
  // Routes: the kernel's tables, and which protocols mark the daemon's routes.
  if (ofKind(probes, "route").length > 0) {
    const protocols = ROUTE_PROTOCOLS[daemon];
    seen.push({ kind: "route-source", protocols: [...protocols].filter((x) => !/^\d+$/.test(x)).join("|") });
    for (const [name, fam] of [
      ["route4", 4],
      ["route6", 6],
    ] as const) {
      const s = out.get(name);
      if (s?.rc !== "0") {
        seen.push({ kind: "unreadable", about: "route", what: name, why: s?.text.trim() || "no output" });
        continue;
      }
      try {
        for (const r of parseIpRoutes(s.text, fam))
          seen.push({
            kind: "route",
            prefix: r.prefix,
            protocol: r.type ? `${r.protocol} ${r.type}` : r.protocol,
            fromDaemon: protocols.has(r.protocol),
          });
      } catch (e) {
        seen.push({
          kind: "unreadable",
          about: "route",
          what: name,
          why: `unreadable (${(e as Error).message})`,
        });
      }
    }
  }
  return seen;
}
