// The one health evaluator every platform's gate goes through: probes (what must hold, from the
// desired state) against observations (what the driver saw), one check per probe saying what was
// expected and what was seen. Pure.
import type { HealthCheck, HealthProbe, HealthReport, Observation } from "../drivers/health.ts";

type Of<K extends Observation["kind"]> = Extract<Observation, { kind: K }>;

const isFull = (state: string) => /^full\b/i.test(state);

function canonPrefix(p: string): string {
  const s = p.trim().toLowerCase();
  if (s.includes("/")) return s;
  return `${s}/${s.includes(":") ? 128 : 32}`;
}

export function evaluateHealth(
  probes: readonly HealthProbe[],
  observations: readonly Observation[],
): HealthReport {
  const all = <K extends Observation["kind"]>(kind: K) =>
    observations.filter((o) => o.kind === kind) as Of<K>[];
  const unreadable = (about: HealthProbe["kind"]) =>
    all("unreadable")
      .filter((u) => u.about === about)
      .map((u) => `${u.what}: ${u.why}`)
      .join("; ");
  const checks: HealthCheck[] = probes.map((p): HealthCheck => {
    switch (p.kind) {
      case "ospf-adjacency": {
        const wanted = [
          ...new Set(all("ospf-interface").flatMap((i) => (i.interface === p.interface ? i.instances : []))),
        ];
        const rows = all("ospf-neighbor").filter(
          (n) => n.interface === p.interface && n.routerId === p.routerId,
        );
        const missing = (wanted.length > 0 ? wanted : [undefined]).filter(
          (inst) => !rows.some((n) => isFull(n.state) && (inst === undefined || n.instance === inst)),
        );
        const problem = unreadable(p.kind);
        return {
          name: `ospf neighbour ${p.routerId} on ${p.interface}`,
          ok: missing.length === 0,
          expected: `Full${wanted.length > 0 ? ` in ${wanted.join(", ")}` : ""}`,
          seen:
            rows.length > 0
              ? rows.map((n) => `${n.instance}: ${n.state}`).join(", ")
              : `no neighbour ${p.routerId} on ${p.interface}${problem ? ` (${problem})` : ""}`,
        };
      }
      case "bgp-session": {
        const s = all("bgp-session").find((b) => b.neighbor === p.neighbor);
        return {
          name: `bgp session ${p.neighbor}`,
          ok: s !== undefined && /^established$/i.test(s.state),
          expected: "Established",
          seen: s ? s.state : unreadable(p.kind) || "no such session",
        };
      }
      case "wireguard-tunnel": {
        const w = all("wireguard-peer").find(
          (x) => x.interface === p.interface && x.publicKey === p.publicKey,
        );
        const name = `wireguard tunnel ${p.interface} peer ${p.publicKey}`;
        if (!w)
          return {
            name,
            ok: false,
            expected: "a handshake after the commit",
            seen: unreadable(p.kind) || "no such peer",
          };
        const known = w.committedAt !== undefined && Number.isFinite(w.committedAt);
        const handshakeAfter =
          known && w.latestHandshake > 0 && w.latestHandshake >= (w.committedAt as number);
        return {
          name,
          ok: known && (handshakeAfter || w.receivedSinceCommit > 0),
          expected: known
            ? `a handshake at or after the commit (epoch ${w.committedAt}), or packets received since it`
            : "a handshake after the commit (the commit time could not be read)",
          seen: `${w.latestHandshake === 0 ? "no handshake yet" : `latest handshake at epoch ${w.latestHandshake}`}, ${w.receivedSinceCommit} bytes received since the commit`,
        };
      }
      case "route": {
        const prefix = canonPrefix(p.prefix);
        const found = all("route").filter((r) => r.prefix === prefix);
        return {
          name: `route ${prefix}`,
          ok: found.some((r) => r.fromDaemon),
          expected: `in the main table, proto ${all("route-source")[0]?.protocols ?? "of the routing daemon"}`,
          seen:
            found.length > 0
              ? found.map((r) => `proto ${r.protocol}`).join(", ")
              : unreadable(p.kind) || "absent",
        };
      }
      case "serial-port": {
        const s = all("serial-port").find((x) => x.port === p.port);
        return {
          name: `serial port ${p.port}`,
          ok: s?.configured === true,
          expected: "configured as desired",
          seen: s ? s.detail : unreadable(p.kind) || "no such port",
        };
      }
      case "cellular-failover": {
        const c = all("cellular-failover")[0];
        return {
          name: "cellular failover",
          ok: c?.armed === true,
          expected: "armed",
          seen: c ? c.detail : unreadable(p.kind) || "no failover status",
        };
      }
      case "management-path": {
        const m = all("management-path").find((x) => x.address === p.address);
        return {
          name: `management path to ${p.address}`,
          ok: m?.reachable === true,
          expected: "reachable",
          seen: m ? m.detail : unreadable(p.kind) || "not checked",
        };
      }
      case "firewall-rule": {
        const f = all("firewall-rule").find((x) => x.description === p.description);
        return {
          name: `firewall rule "${p.description}"`,
          ok: f?.loaded === true,
          expected: `loaded: ${p.action} on ${p.interface}${p.source ? ` from ${p.source}` : ""}`,
          seen: f ? f.detail : unreadable(p.kind) || "not checked",
        };
      }
    }
    return {
      name: "unknown probe",
      ok: false,
      expected: "a probe kind this evaluator knows",
      seen: JSON.stringify(p),
    };
  });
  return { ok: checks.every((c) => c.ok), checks };
}
