// One pass of the health gate on a Debian router: one script, one round trip, then the pure
// evaluation of what it printed against the expectations. Each check says what was expected and
// what was seen.
import type { HealthCheck, HealthExpectations, HealthReport } from "../../../drivers/apply-contract.ts";
import type { DeviceIntent } from "../../../schema/device.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import { ifname, word } from "../guard.ts";
import { PATH_LINE, runDir } from "./layout.ts";
import {
  isFull,
  type KernelRoute,
  type OspfNeighbor,
  parseBirdOspfNeighbors,
  parseFrrOspfNeighbors,
  parseIpRoutes,
  parseLatestHandshakes,
} from "./parse-health.ts";
import { assertNonce } from "./scripts.ts";

/** WireGuard's REKEY_AFTER_TIME (120 s) plus a margin for the handshake itself. */
const REKEY_WINDOW_S = 180;

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
  expect: HealthExpectations,
  nonce: string,
): string {
  const L = [
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    `N=${assertNonce(nonce)}`,
    `begin() { printf '@@reconciler:%s:begin %s@@\\n' "$N" "$1"; }`,
    `end() { printf '\\n@@reconciler:%s:end %s rc=%s@@\\n' "$N" "$1" "$2"; }`,
    `section() { _s=$1; shift; begin "$_s"; "$@" 2>&1; end "$_s" $?; }`,
    `section now date +%s`,
    `section committed-at cat ${q(`${runDir(runId)}/committed-at`)}`,
  ];
  if (expect.ospfNeighbors.length > 0) {
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
  for (const ifn of [...new Set(expect.wireguardPeers.map((p) => ifname(p.interface)))])
    L.push(`section ${q(`wg:${ifn}`)} wg show ${q(ifn)} latest-handshakes`);
  if (expect.routes.length > 0)
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

function canonPrefix(p: string): string {
  const s = p.trim().toLowerCase();
  if (s.includes("/")) return s;
  return `${s}/${s.includes(":") ? 128 : 32}`;
}

export function evaluateHealth(
  intent: DeviceIntent,
  expect: HealthExpectations,
  out: HealthOutputs,
): HealthReport {
  const checks: HealthCheck[] = [];
  const daemon = intent.routing_daemon === "frr" ? "frr" : "bird";
  // OSPF
  if (expect.ospfNeighbors.length > 0) {
    const neighbors: OspfNeighbor[] = [];
    const problems: string[] = [];
    const take = (name: string, parse: (t: string) => OspfNeighbor[]) => {
      const s = out.get(name);
      if (!s) return problems.push(`${name}: no output`);
      if (s.rc !== "0") return problems.push(`${name}: ${s.text.trim() || `status ${s.rc}`}`);
      try {
        neighbors.push(...parse(s.text));
      } catch (e) {
        problems.push(`${name}: unreadable (${(e as Error).message})`);
      }
      return 0;
    };
    const instances = ospfInstances(intent);
    if (daemon === "frr") {
      take("frr:ospf", (t) => parseFrrOspfNeighbors(t, "ospf"));
      if (instances.some((i) => i.version === 3)) take("frr:ospf6", (t) => parseFrrOspfNeighbors(t, "ospf6"));
    } else for (const i of instances) take(`bird:${i.name}`, (t) => parseBirdOspfNeighbors(t, i.name));
    for (const e of expect.ospfNeighbors) {
      // Every instance that runs on the interface must have the adjacency Full.
      let wanted = instances
        .filter((i) => i.interfaces.includes(e.interface))
        .map((i) => (daemon === "frr" ? (i.version === 3 ? "ospf6" : "ospf") : i.name));
      wanted = [...new Set(wanted)];
      const seenRows = neighbors.filter((n) => n.interface === e.interface && n.routerId === e.routerId);
      const missing = (wanted.length > 0 ? wanted : [undefined]).filter(
        (inst) => !seenRows.some((n) => isFull(n.state) && (inst === undefined || n.instance === inst)),
      );
      const seen =
        seenRows.length > 0
          ? seenRows.map((n) => `${n.instance}: ${n.state}`).join(", ")
          : `no neighbour ${e.routerId} on ${e.interface}${problems.length ? ` (${problems.join("; ")})` : ""}`;
      checks.push({
        name: `ospf neighbour ${e.routerId} on ${e.interface}`,
        ok: missing.length === 0,
        expected: `Full${wanted.length > 0 ? ` in ${wanted.join(", ")}` : ""}`,
        seen,
      });
    }
  }
  // WireGuard
  // A tunnel the commit did not touch does not handshake again after `wg syncconf`; WireGuard
  // re-handshakes every 2 minutes while traffic (OSPF hellos) flows. So a handshake is fresh if
  // it came after the commit or within the last REKEY_WINDOW_S seconds.
  const committedAt = Number(out.get("committed-at")?.text.trim());
  const now = Number(out.get("now")?.text.trim());
  const since = Math.min(
    Number.isFinite(committedAt) ? committedAt : Number.POSITIVE_INFINITY,
    Number.isFinite(now) ? now - REKEY_WINDOW_S : Number.POSITIVE_INFINITY,
  );
  for (const p of expect.wireguardPeers) {
    const s = out.get(`wg:${p.interface}`);
    const name = `wireguard handshake ${p.interface} peer ${p.publicKey}`;
    const expected = Number.isFinite(since)
      ? `a handshake at or after epoch ${since} (the commit, or ${REKEY_WINDOW_S} s ago)`
      : "a recent handshake (neither the commit time nor the device clock could be read)";
    if (s?.rc !== "0") {
      checks.push({ name, ok: false, expected, seen: s ? s.text.trim() || `status ${s.rc}` : "no output" });
      continue;
    }
    const hs = parseLatestHandshakes(s.text).get(p.publicKey);
    const seen =
      hs === undefined ? "no such peer" : hs === 0 ? "no handshake yet" : `latest handshake at epoch ${hs}`;
    checks.push({
      name,
      ok: hs !== undefined && hs > 0 && Number.isFinite(since) && hs >= since,
      expected,
      seen,
    });
  }
  // Routes
  if (expect.routes.length > 0) {
    const routes: KernelRoute[] = [];
    let problem = "";
    for (const [name, fam] of [
      ["route4", 4],
      ["route6", 6],
    ] as const) {
      const s = out.get(name);
      if (s?.rc !== "0") problem = `${name}: ${s?.text.trim() || "no output"}`;
      else routes.push(...parseIpRoutes(s.text, fam));
    }
    const protocols = ROUTE_PROTOCOLS[daemon];
    for (const r of expect.routes) {
      const prefix = canonPrefix(r);
      const found = routes.filter((x) => x.prefix === prefix);
      const ok = found.some((x) => protocols.has(x.protocol));
      checks.push({
        name: `route ${prefix}`,
        ok,
        expected: `in the main table, proto ${[...protocols].filter((x) => !/^\d+$/.test(x)).join("|")}`,
        seen:
          found.length > 0
            ? found.map((x) => `proto ${x.protocol}${x.type ? ` ${x.type}` : ""}`).join(", ")
            : problem || "absent",
      });
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}
