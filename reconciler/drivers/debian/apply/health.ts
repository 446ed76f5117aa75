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
  // Traffic through each tunnel first (a tunnel that nothing else uses must still prove itself):
  // pings to the peers' tunnel addresses, in parallel, their results ignored.
  const probes = expect.wireguardPeers.filter((p) => p.probe);
  if (probes.length > 0) {
    for (const p of probes)
      L.push(
        `ping -n -q -c 2 -i 0.2 -W 1 -I ${q(ifname(p.interface))} ${q(word(p.probe as string, "a probe address"))} >/dev/null 2>&1 &`,
      );
    L.push("wait");
  }
  const wgIfs = [...new Set(expect.wireguardPeers.map((p) => ifname(p.interface)))];
  for (const ifn of wgIfs) {
    L.push(`section ${q(`wg:${ifn}`)} wg show ${q(ifn)} latest-handshakes`);
    L.push(`section ${q(`wgrx:${ifn}`)} wg show ${q(ifn)} transfer`);
  }
  if (wgIfs.length > 0) L.push(`section transfer-at-commit cat ${q(`${runDir(runId)}/transfer-at-commit`)}`);
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
  // WireGuard: the tunnel must be proven after the commit, by a handshake after it or by packets
  // received from the peer after it (a tunnel the commit did not touch does not handshake again
  // for up to 2 minutes, but the probe pings and the routing daemon's hellos come through it).
  // A handshake from before the commit proves nothing about the new configuration.
  const committedAt = Number(out.get("committed-at")?.text.trim());
  const atCommit = parseTransfer(out.get("transfer-at-commit")?.text ?? "", true);
  for (const p of expect.wireguardPeers) {
    const s = out.get(`wg:${p.interface}`);
    const name = `wireguard tunnel ${p.interface} peer ${p.publicKey}`;
    const expected = Number.isFinite(committedAt)
      ? `a handshake at or after the commit (epoch ${committedAt}), or packets received since it`
      : "a handshake after the commit (the commit time could not be read)";
    if (s?.rc !== "0") {
      checks.push({ name, ok: false, expected, seen: s ? s.text.trim() || `status ${s.rc}` : "no output" });
      continue;
    }
    const hs = parseLatestHandshakes(s.text).get(p.publicKey);
    const rxNow = parseTransfer(out.get(`wgrx:${p.interface}`)?.text ?? "", false).get(p.publicKey);
    const rxThen = atCommit.get(`${p.interface}\t${p.publicKey}`) ?? 0;
    const received = rxNow !== undefined && rxNow > rxThen ? rxNow - rxThen : 0;
    const handshakeAfter = hs !== undefined && hs > 0 && Number.isFinite(committedAt) && hs >= committedAt;
    const seen =
      hs === undefined
        ? "no such peer"
        : `${hs === 0 ? "no handshake yet" : `latest handshake at epoch ${hs}`}, ${received} bytes received since the commit`;
    checks.push({
      name,
      ok: Number.isFinite(committedAt) && (handshakeAfter || received > 0),
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
      else
        try {
          routes.push(...parseIpRoutes(s.text, fam));
        } catch (e) {
          problem = `${name}: unreadable (${(e as Error).message})`;
        }
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

/**
 * `wg show IF transfer` (peer, rx, tx) or, with `all`, `wg show all transfer` (interface, peer,
 * rx, tx): received bytes by peer, or by "interface\tpeer". Lines that do not fit are ignored.
 */
export function parseTransfer(text: string, all: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.trim().split("\t");
    if (f.length !== (all ? 4 : 3)) continue;
    const rx = Number(f[all ? 2 : 1]);
    if (!Number.isSafeInteger(rx) || rx < 0) continue;
    out.set(all ? `${f[0]}\t${f[1]}` : (f[0] as string), rx);
  }
  return out;
}
