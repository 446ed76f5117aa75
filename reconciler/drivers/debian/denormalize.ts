// A Debian router's live state as a human would write it in desired/: the normalized live state
// with every value the normalizer fills in by itself left out, unless the device's own files spell
// it (then the file the reconciler renders from the import is the file the device has, byte for
// byte), and the descriptions the files carry as comments put back. Pure.

import { canonAddress, canonInterfaceAddress, canonNetwork, familyOf } from "../../model/canonical.ts";
import type { LiveState } from "../../model/live.ts";
import type {
  Bgp,
  BgpNeighbor,
  DeviceIntent,
  NetInterface,
  Ospf,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import type { DenormalizeContext } from "../driver.ts";
import {
  BIRD_OSPF,
  DEFAULT_OSPF_KEY_ID,
  FRR_OSPF,
  LINK_DEFAULT_MTU,
  WG_DEFAULT_MTU,
  WG_DEFAULT_TABLE,
} from "./defaults.ts";
import { routingFrom } from "./parse.ts";
import { parseIfupdown } from "./parse-ifupdown.ts";
import { parseWireguardConf } from "./parse-wireguard.ts";
import { BIRD_CONF, FRR_CONF, IFUPDOWN_CONF, MANAGED_MARK, SYSCTL_CONF, wireguardConfPath } from "./paths.ts";

type Daemon = DeviceIntent["routing_daemon"];

/** Removes keys whose value is undefined. */
function clean<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}

/** Descriptions the rendered files carry as comments: interfaces, WireGuard interfaces and peers. */
export interface FileDescriptions {
  interfaces: Map<string, string>;
  wireguard: Map<string, string>;
  /** interface name -> public key -> description */
  peers: Map<string, Map<string, string>>;
}

/** `# NAME (KIND): DESCRIPTION` above each stanza of the reconciler's ifupdown file. */
function ifupdownDescriptions(text: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of (text ?? "").matchAll(/^# (\S+) \((loopback|dummy|ethernet|vlan|bridge)\): (.+)$/gm)) {
    if (m[1] && m[3]) out.set(m[1], m[3]);
  }
  return out;
}

/**
 * A wg-quick file the reconciler wrote: the interface description is the comment line after the
 * two header lines (before the lone "#"); a peer's is the comment line right above its [Peer].
 */
function wireguardDescriptions(text: string): { iface?: string; peers: Map<string, string> } {
  const lines = text.split("\n");
  const peers = new Map<string, string>();
  let iface: string | undefined;
  if (lines[0]?.includes(MANAGED_MARK) && lines[2]?.startsWith("# ") && lines[3] === "#") {
    iface = lines[2].slice(2);
  }
  lines.forEach((line, i) => {
    if (line.trim().toLowerCase() !== "[peer]") return;
    const above = lines[i - 1];
    const key = /^\s*PublicKey\s*=\s*(\S+)\s*$/i.exec(lines[i + 1] ?? "")?.[1];
    if (key && above?.startsWith("# ")) peers.set(key, above.slice(2));
  });
  return { ...(iface !== undefined ? { iface } : {}), peers };
}

export function fileDescriptions(live: LiveState): FileDescriptions {
  const out: FileDescriptions = {
    interfaces: ifupdownDescriptions(live.artifacts[IFUPDOWN_CONF]),
    wireguard: new Map(),
    peers: new Map(),
  };
  for (const w of live.state.wireguard ?? []) {
    const text = live.artifacts[wireguardConfPath(w.name)];
    if (!text) continue;
    const d = wireguardDescriptions(text);
    if (d.iface !== undefined) out.wireguard.set(w.name, d.iface);
    out.peers.set(w.name, d.peers);
  }
  return out;
}

/** What the device's files spell out, unnormalized: which fields were written, not only their values. */
interface Hints {
  routing: Pick<DeviceIntent, "ospf" | "bgp" | "static_routes">;
  interfaces: Map<string, NetInterface>;
  wireguard: Map<string, WireguardInterface>;
}

function hintsOf(live: LiveState): Hints {
  const daemon = live.state.routing_daemon;
  const file =
    daemon === "bird" ? live.artifacts[BIRD_CONF] : daemon === "frr" ? live.artifacts[FRR_CONF] : null;
  let routing: Hints["routing"] = {};
  try {
    routing = routingFrom(daemon, file).state;
  } catch {
    // A file too deeply nested to read: no hints, defaults are left out.
  }
  const interfaces = new Map<string, NetInterface>();
  const ifupdown = live.artifacts[IFUPDOWN_CONF];
  if (ifupdown) for (const i of parseIfupdown(ifupdown).interfaces) interfaces.set(i.name, i);
  const wireguard = new Map<string, WireguardInterface>();
  for (const w of live.state.wireguard ?? []) {
    const text = live.artifacts[wireguardConfPath(w.name)];
    if (text) wireguard.set(w.name, parseWireguardConf(w.name, text).iface);
  }
  return { routing, interfaces, wireguard };
}

/** The network type a daemon picks for an interface without one (as normalize/defaultOspfType). */
function defaultOspfType(name: string, intent: DeviceIntent): OspfInterface["type"] {
  if ((intent.wireguard ?? []).some((w) => w.name === name)) return "ptp";
  const kind = (intent.interfaces ?? []).find((i) => i.name === name)?.kind;
  if (kind === "loopback" || name === "lo") return undefined;
  return "broadcast";
}

const sameInstance = (daemon: Daemon) => (a: OspfInstance, b: OspfInstance) =>
  daemon === "frr" ? a.version === b.version : a.name === b.name;

function hintInterface(
  hints: Hints,
  daemon: Daemon,
  inst: OspfInstance,
  area: OspfArea,
  name: string,
): OspfInterface | undefined {
  const hi = hints.routing.ospf?.instances.find((i) => sameInstance(daemon)(i, inst));
  const ha = hi?.areas.find((a) => canonAddress(a.id) === area.id);
  return ha?.interfaces?.find((i) => i.name === name);
}

/** Keeps a field when the file spells it or when it differs from the default. */
const keep = <T>(value: T | undefined, dflt: T | undefined, spelled: boolean): T | undefined =>
  value === undefined ? undefined : spelled || value !== dflt ? value : undefined;

export type { DenormalizeContext };

function ospfInterface(
  i: OspfInterface,
  inst: OspfInstance,
  area: OspfArea,
  ctx: DenormalizeContext,
  hints: Hints,
): OspfInterface {
  const daemon = ctx.live.state.routing_daemon;
  const h = hintInterface(hints, daemon, inst, area, i.name);
  const spelled = (k: keyof OspfInterface) => h?.[k] !== undefined;
  const out: OspfInterface = { name: i.name };
  if (i.passive) out.passive = true;
  out.type = keep(i.type, defaultOspfType(i.name, ctx.live.state), spelled("type"));
  if (daemon === "bird") {
    const hello = i.hello ?? BIRD_OSPF.hello;
    out.cost = keep(i.cost, BIRD_OSPF.cost, spelled("cost"));
    out.hello = keep(i.hello, BIRD_OSPF.hello, spelled("hello"));
    out.retransmit = keep(i.retransmit, BIRD_OSPF.retransmit, spelled("retransmit"));
    out.wait = keep(i.wait, BIRD_OSPF.deadCount * hello, spelled("wait"));
    out.dead = keep(i.dead, BIRD_OSPF.deadCount * hello, spelled("dead"));
  } else {
    out.cost = i.cost;
    out.hello = keep(i.hello, daemon === "frr" ? FRR_OSPF.hello : undefined, spelled("hello"));
    out.retransmit = keep(
      i.retransmit,
      daemon === "frr" ? FRR_OSPF.retransmit : undefined,
      spelled("retransmit"),
    );
    out.dead = keep(i.dead, daemon === "frr" ? FRR_OSPF.dead : undefined, spelled("dead"));
    out.wait = i.wait;
  }
  const auth = i.authentication;
  if (auth && auth.type !== "none") {
    out.authentication = clean({
      type: auth.type,
      key_id: auth.key_id === DEFAULT_OSPF_KEY_ID ? undefined : auth.key_id,
      password_env:
        auth.password_env === undefined
          ? undefined
          : ctx.namer.name(
              auth.password_env,
              `the OSPF ${auth.type} password of ${i.name} (instance ${inst.name}, area ${area.id})`,
              ctx.device,
              "OSPF",
              i.name,
              "PASSWORD",
            ),
    });
  }
  return clean(out);
}

function ospf(o: Ospf, ctx: DenormalizeContext, hints: Hints): Ospf {
  return {
    router_id: o.router_id,
    instances: o.instances.map((inst) =>
      clean({
        name: inst.name,
        version: inst.version,
        address_family:
          inst.address_family === (inst.version === 2 ? "ipv4" : "ipv6") ? undefined : inst.address_family,
        router_id: inst.router_id,
        redistribute: inst.redistribute,
        areas: inst.areas.map((a) =>
          clean({
            id: a.id,
            stub: a.stub,
            interfaces: a.interfaces?.map((i) => ospfInterface(i, inst, a, ctx, hints)),
            stub_networks: a.stub_networks,
          }),
        ),
      }),
    ),
  };
}

function bgp(b: Bgp, ctx: DenormalizeContext, hints: Hints): Bgp {
  const daemon = ctx.live.state.routing_daemon;
  const ospfId = ctx.live.state.ospf?.router_id;
  const hint = hints.routing.bgp;
  // bird takes the global router id (the OSPF one) when BGP names none; normalize fills it in, and
  // render writes a protocol's own router id only when it differs from the global one.
  const routerId =
    daemon === "bird" && ospfId !== undefined && b.router_id === ospfId ? undefined : b.router_id;
  // Both daemons use the router id as cluster id; normalize drops one equal to it.
  const clusterId =
    b.cluster_id ?? (hint?.cluster_id !== undefined ? canonAddress(hint.cluster_id) : undefined);
  return clean({
    asn: b.asn,
    router_id: routerId,
    cluster_id: clusterId,
    neighbors: b.neighbors.map((n): BgpNeighbor => {
      const own = [familyOf(n.address)];
      const families = n.address_families;
      return clean({
        address: n.address,
        remote_asn: n.remote_asn,
        description: n.description,
        update_source: n.update_source,
        route_reflector_client: n.route_reflector_client,
        next_hop_self: n.next_hop_self,
        password_env:
          n.password_env === undefined
            ? undefined
            : ctx.namer.name(
                n.password_env,
                `the BGP password of neighbour ${n.address}`,
                ctx.device,
                "BGP",
                n.address,
                "PASSWORD",
              ),
        address_families:
          families && !(families.length === 1 && families[0] === own[0]) ? families : undefined,
      });
    }),
    announce: b.announce,
  });
}

function staticRoutes(routes: StaticRoute[], hints: Hints): StaticRoute[] {
  return routes.map((r) => {
    const h = hints.routing.static_routes?.find((x) => canonNetwork(x.prefix) === r.prefix);
    return clean({ ...r, distance: r.distance ?? h?.distance });
  });
}

function interfaces(list: NetInterface[], descriptions: FileDescriptions, hints: Hints): NetInterface[] {
  return list.map((i) => {
    const h = hints.interfaces.get(i.name);
    // normalize drops an MTU equal to the kernel's default for the kind; the file may spell it.
    const mtu = i.mtu ?? (h?.mtu === LINK_DEFAULT_MTU[i.kind] ? h.mtu : undefined);
    return clean({
      name: i.name,
      kind: i.kind,
      description: descriptions.interfaces.get(i.name),
      addresses: i.addresses,
      mtu,
      vlan: i.vlan,
    });
  });
}

function peer(p: WireguardPeer, iface: string, index: number, ctx: DenormalizeContext, d: FileDescriptions) {
  return clean({
    public_key: p.public_key,
    description: d.peers.get(iface)?.get(p.public_key),
    endpoint: p.endpoint,
    allowed_ips: p.allowed_ips,
    persistent_keepalive: p.persistent_keepalive,
    preshared_key_env:
      p.preshared_key_env === undefined
        ? undefined
        : ctx.namer.name(
            p.preshared_key_env,
            `the WireGuard preshared key of ${iface}'s peer ${p.public_key}`,
            ctx.device,
            iface,
            "PSK",
            index + 1,
          ),
  });
}

function wireguard(list: WireguardInterface[], ctx: DenormalizeContext, d: FileDescriptions, hints: Hints) {
  return list.map((w) =>
    clean({
      name: w.name,
      description: d.wireguard.get(w.name),
      listen_port: w.listen_port,
      addresses: w.addresses,
      mtu: keep(w.mtu, WG_DEFAULT_MTU, hints.wireguard.get(w.name)?.mtu !== undefined),
      // The file always says Table; "off" is what the reconciler writes when none is given.
      table: w.table === WG_DEFAULT_TABLE ? undefined : w.table,
      peers: w.peers.map((p, i) => peer(p, w.name, i, ctx, d)),
    }),
  );
}

/**
 * The desired state a human would write for what the device runs (sections as Debian manages
 * them). `state` is the live state, possibly already without what links.yaml defines.
 */
export function denormalizeDebian(state: DeviceIntent, ctx: DenormalizeContext): DeviceIntent {
  const hints = hintsOf(ctx.live);
  const descriptions = fileDescriptions(ctx.live);
  const fwd = state.forwarding;
  // The kernel always reports forwarding; it is managed only where the reconciler's file is, or
  // where it is on (a router that forwards wants to go on forwarding).
  const managedForwarding =
    fwd && (typeof ctx.live.artifacts[SYSCTL_CONF] === "string" || fwd.ipv4 === true || fwd.ipv6 === true);
  return clean({
    routing_daemon: state.routing_daemon,
    forwarding: managedForwarding
      ? clean({ ipv4: fwd?.ipv4 ? true : undefined, ipv6: fwd?.ipv6 ? true : undefined })
      : undefined,
    interfaces: state.interfaces?.length ? interfaces(state.interfaces, descriptions, hints) : undefined,
    wireguard: state.wireguard?.length ? wireguard(state.wireguard, ctx, descriptions, hints) : undefined,
    static_routes: state.static_routes?.length ? staticRoutes(state.static_routes, hints) : undefined,
    ospf: state.ospf ? ospf(state.ospf, ctx, hints) : undefined,
    bgp: state.bgp ? bgp(state.bgp, ctx, hints) : undefined,
    raw: state.raw,
  });
}

/** Canonical forms, for matching a value in a YAML file with one of the live state. */
export const canon = {
  address: canonAddress,
  interfaceAddress: canonInterfaceAddress,
  network: canonNetwork,
};
