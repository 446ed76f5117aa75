// The health gate's observations on RouterOS: `print terse` of OSPF neighbours, BGP sessions,
// WireGuard peers (last-handshake against the device's clock at commit) and routes; a menu the
// device does not have is "unreadable".
import type { DeviceSession } from "../../transport/session.ts";
import type { ApplyContext, HealthProbe, Observation } from "../apply-contract.ts";
import { deviceClock } from "./clock.ts";
import { readFile, send } from "./console.ts";
import { committedFileName } from "./run-files.ts";

/** `print terse` rows: the flags (whatever stands between the number and the first key=) and the values. */
export function terseRows(out: string): { flags: string; props: Record<string, string> }[] {
  const rows: { flags: string; props: Record<string, string> }[] = [];
  for (const l of out.split("\n")) {
    const m = /^\s*\d+\s+(.*)$/.exec(l);
    if (!m) continue;
    const rest = m[1] as string;
    const first = rest.search(/(?:^|\s)[a-z][a-z0-9.-]*=/);
    if (first < 0) continue;
    const props: Record<string, string> = {};
    for (const kv of rest.slice(first).matchAll(/(?:^|\s)([a-z][a-z0-9.-]*)=(\S*)/g))
      props[kv[1] as string] ??= kv[2] as string;
    rows.push({ flags: rest.slice(0, first).replace(/\s+/g, ""), props });
  }
  return rows;
}

/** "1m20s", "2d3h", "00:01:20" as seconds, or undefined. */
export function durationS(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const hms = /^(\d+):(\d\d):(\d\d)$/.exec(text);
  if (hms) return Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  const units: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let seen = false;
  for (const m of text.matchAll(/(\d+)(ms|w|d|h|m|s)/g)) {
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    seen = true;
  }
  return seen ? Math.floor(total) : undefined;
}

export async function health(
  session: DeviceSession,
  ctx: ApplyContext,
  probes: readonly HealthProbe[],
): Promise<Observation[]> {
  const kinds = new Set(probes.map((p) => p.kind));
  const out: Observation[] = [];
  const unreadable = (about: HealthProbe["kind"], what: string, why: string) =>
    out.push({ kind: "unreadable", about, what, why });
  if (kinds.has("ospf-adjacency")) {
    const cmd = "/routing ospf neighbor print terse";
    const r = await send(session, cmd, "health");
    if (!r.ok) unreadable("ospf-adjacency", cmd, r.error);
    else {
      const seen = new Map<string, Set<string>>();
      for (const { props } of terseRows(r.out)) {
        const iface = props.interface ?? "";
        const instance = props.instance ?? "";
        out.push({
          kind: "ospf-neighbor",
          interface: iface,
          routerId: props["router-id"] ?? "",
          state: props.state ?? "",
          instance,
        });
        seen.set(iface, (seen.get(iface) ?? new Set()).add(instance));
      }
      for (const [iface, inst] of seen)
        out.push({ kind: "ospf-interface", interface: iface, instances: [...inst] });
    }
  }
  if (kinds.has("bgp-session")) {
    const cmd = "/routing bgp session print terse";
    const r = await send(session, cmd, "health");
    if (!r.ok) unreadable("bgp-session", cmd, r.error);
    else
      for (const { flags, props } of terseRows(r.out))
        out.push({
          kind: "bgp-session",
          neighbor: (props["remote.address"] ?? "").replace(/\/\d+$/, ""),
          state: flags.includes("E") ? "Established" : (props.state ?? "not established"),
        });
  }
  if (kinds.has("wireguard-tunnel")) {
    const cmd = "/interface wireguard peers print terse";
    const r = await send(session, cmd, "health");
    const now = await deviceClock(session);
    const committed = await readFile(session, committedFileName(ctx.runId), "health").catch(() => undefined);
    const at = committed ? Date.parse(committed.replace(" ", "T").concat("Z")) : Number.NaN;
    if (!r.ok) unreadable("wireguard-tunnel", cmd, r.error);
    else if (!now) unreadable("wireguard-tunnel", "/system clock", "the device's clock could not be read");
    else
      for (const { props } of terseRows(r.out)) {
        const ago = durationS(props["last-handshake"]);
        out.push({
          kind: "wireguard-peer",
          interface: props.interface ?? "",
          publicKey: props["public-key"] ?? "",
          latestHandshake: ago === undefined ? 0 : Math.floor(now.getTime() / 1000) - ago,
          ...(Number.isFinite(at) ? { committedAt: Math.floor(at / 1000) } : {}),
          // RouterOS counts bytes since the peer was made, not since the commit: not a proof.
          receivedSinceCommit: 0,
        });
      }
  }
  if (kinds.has("route")) {
    let failed = false;
    const families = new Set(
      probes.flatMap((p) => (p.kind === "route" ? [p.prefix.includes(":") ? 6 : 4] : [])),
    );
    for (const cmd of [...families]
      .sort()
      .map((f) => (f === 6 ? "/ipv6 route print terse" : "/ip route print terse"))) {
      const r = await send(session, cmd, "health");
      if (!r.ok) {
        unreadable("route", cmd, r.error);
        failed = true;
        continue;
      }
      for (const { flags, props } of terseRows(r.out)) {
        if (!props["dst-address"] || !flags.includes("A")) continue;
        // v7: o ospf, b bgp, s static, c connect, B blackhole; v6 spells static and connect S, C.
        const protocol = /o/.test(flags)
          ? "ospf"
          : /b/.test(flags)
            ? "bgp"
            : /[sS]/.test(flags)
              ? "static"
              : /[cC]/.test(flags)
                ? "connect"
                : "other";
        out.push({
          kind: "route",
          prefix: props["dst-address"],
          protocol,
          fromDaemon: protocol === "ospf" || protocol === "bgp",
        });
      }
    }
    if (!failed) out.push({ kind: "route-source", protocols: "ospf|bgp" });
  }
  for (const k of ["serial-port", "cellular-failover", "management-path"] as const)
    if (kinds.has(k)) unreadable(k, k, "not something the RouterOS driver checks");
  return out;
}
