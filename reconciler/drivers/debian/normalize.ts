// normalizeDebian: the projection of a desired or live state onto what a Debian router can report
// when it is read back. Pure and idempotent (normalize(normalize(x)) deep-equals normalize(x)).
//
// - dropped: what the device cannot report (descriptions of interfaces, WireGuard interfaces and
//   peers, static routes; OSPF wait on FRR; the name of the variable a secret came from on FRR);
// - filled: the defaults the kernel, wg-quick and the daemon apply when a field is unset, or a
//   value equal to the default dropped where the default is not a constant (link MTUs);
// - canonical: addresses lowercase and compressed, sets sorted, keyed lists sorted by key,
//   empty optional lists removed, false flags removed.

import {
  byKey,
  canonAddress,
  canonEndpoint,
  canonInterfaceAddress,
  canonNetwork,
  compareIp,
  compareText,
  familyOf,
  ipSet,
} from "../../model/canonical.ts";
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
import {
  BIRD_OSPF,
  BIRD_STATIC_DISTANCE,
  DEFAULT_OSPF_KEY_ID,
  FRR_INSTANCE_NAME,
  FRR_OSPF,
  FRR_STATIC_DISTANCE,
  LINK_DEFAULT_MTU,
  SECRET_SET,
  WG_DEFAULT_MTU,
  WG_DEFAULT_TABLE,
} from "./defaults.ts";

type Daemon = DeviceIntent["routing_daemon"];

/** Removes keys whose value is undefined, so that deep equality does not see them. */
function clean<T extends object>(value: T): T {
  for (const k of Object.keys(value) as (keyof T)[]) if (value[k] === undefined) delete value[k];
  return value;
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? list : undefined);
const trueOrUndefined = (b: boolean | undefined): true | undefined => (b ? true : undefined);

function normalizeInterface(i: NetInterface): NetInterface {
  const mtu = i.mtu === LINK_DEFAULT_MTU[i.kind] ? undefined : i.mtu;
  return clean({
    name: i.name,
    kind: i.kind,
    addresses: nonEmpty(ipSet(i.addresses ?? [], canonInterfaceAddress)),
    mtu,
    vlan: i.kind === "vlan" && i.vlan ? { parent: i.vlan.parent, id: i.vlan.id } : undefined,
  });
}

function normalizePeer(p: WireguardPeer): WireguardPeer {
  return clean({
    public_key: p.public_key,
    endpoint: p.endpoint === undefined ? undefined : canonEndpoint(p.endpoint),
    allowed_ips: ipSet(p.allowed_ips, canonNetwork),
    persistent_keepalive: p.persistent_keepalive ? p.persistent_keepalive : undefined,
    preshared_key_env: p.preshared_key_env,
  });
}

function normalizeWireguard(w: WireguardInterface): WireguardInterface {
  return clean({
    name: w.name,
    listen_port: w.listen_port,
    addresses: nonEmpty(ipSet(w.addresses ?? [], canonInterfaceAddress)),
    mtu: w.mtu ?? WG_DEFAULT_MTU,
    table: w.table ?? WG_DEFAULT_TABLE,
    peers: w.peers.map(normalizePeer).sort(byKey((p) => p.public_key)),
  });
}

/**
 * The network type a daemon picks for an interface left without one: both bird and FRR choose
 * point-to-point for a POINTOPOINT link (WireGuard, kernel or wireguard-go) and broadcast for a
 * broadcast link (Ethernet, dummy, VLAN, bridge). Loopbacks are left as they are.
 */
function defaultOspfType(name: string, intent: DeviceIntent): OspfInterface["type"] {
  if ((intent.wireguard ?? []).some((w) => w.name === name)) return "ptp";
  const kind = (intent.interfaces ?? []).find((i) => i.name === name)?.kind;
  if (kind === "loopback" || name === "lo") return undefined;
  return "broadcast";
}

function normalizeAuth(
  auth: OspfInterface["authentication"],
  daemon: Daemon,
): OspfInterface["authentication"] | undefined {
  if (!auth || auth.type === "none") return undefined;
  const secret = auth.password_env && daemon === "frr" ? SECRET_SET : auth.password_env;
  return clean({
    type: auth.type,
    key_id: auth.type === "cryptographic" ? (auth.key_id ?? DEFAULT_OSPF_KEY_ID) : undefined,
    password_env: secret,
  });
}

function normalizeOspfInterface(i: OspfInterface, daemon: Daemon, intent: DeviceIntent): OspfInterface {
  const out: OspfInterface = clean({
    name: i.name,
    passive: trueOrUndefined(i.passive),
    type: i.type ?? (daemon ? defaultOspfType(i.name, intent) : undefined),
    cost: i.cost,
    hello: i.hello,
    dead: i.dead,
    retransmit: i.retransmit,
    wait: i.wait,
    authentication: normalizeAuth(i.authentication, daemon),
  });
  if (daemon === "bird") {
    const hello = out.hello ?? BIRD_OSPF.hello;
    out.cost ??= BIRD_OSPF.cost;
    out.hello = hello;
    out.retransmit ??= BIRD_OSPF.retransmit;
    out.dead ??= BIRD_OSPF.deadCount * hello;
    out.wait ??= BIRD_OSPF.deadCount * hello;
  } else if (daemon === "frr") {
    out.hello ??= FRR_OSPF.hello;
    out.dead ??= FRR_OSPF.dead;
    out.retransmit ??= FRR_OSPF.retransmit;
    // ospfd has no wait timer (it is the dead interval) and ospf6d none at all.
    delete out.wait;
  }
  return out;
}

function normalizeArea(a: OspfArea, daemon: Daemon, intent: DeviceIntent): OspfArea {
  return clean({
    id: canonAddress(a.id),
    stub: trueOrUndefined(a.stub),
    interfaces: nonEmpty(
      (a.interfaces ?? []).map((i) => normalizeOspfInterface(i, daemon, intent)).sort(byKey((i) => i.name)),
    ),
    stub_networks: nonEmpty(ipSet(a.stub_networks ?? [], canonNetwork)),
  });
}

function normalizeInstance(
  inst: OspfInstance,
  routerId: string,
  daemon: Daemon,
  intent: DeviceIntent,
): OspfInstance {
  const ownId = inst.router_id === undefined ? undefined : canonAddress(inst.router_id);
  let areas = inst.areas.map((a) => normalizeArea(a, daemon, intent));
  // FRR has no area objects: an area without interfaces, networks or options leaves no trace.
  if (daemon === "frr") areas = areas.filter((a) => a.interfaces || a.stub_networks || a.stub);
  return clean({
    name: daemon === "frr" ? FRR_INSTANCE_NAME[inst.version] : inst.name,
    version: inst.version,
    address_family: inst.address_family ?? (inst.version === 2 ? "ipv4" : "ipv6"),
    router_id: ownId === routerId ? undefined : ownId,
    redistribute: nonEmpty([...new Set(inst.redistribute ?? [])].sort(compareText)),
    areas: areas.sort(byKey((a) => a.id, compareIp)),
  });
}

function normalizeOspf(o: Ospf, daemon: Daemon, intent: DeviceIntent): Ospf {
  const routerId = canonAddress(o.router_id);
  return {
    router_id: routerId,
    instances: o.instances
      .map((i) => normalizeInstance(i, routerId, daemon, intent))
      .sort((a, b) => compareText(a.name, b.name) || a.version - b.version),
  };
}

function normalizeNeighbor(n: BgpNeighbor, daemon: Daemon): BgpNeighbor {
  const address = canonAddress(n.address);
  // Unset means the neighbour's own family: bird's default, and what render writes for FRR
  // (activating IPv6 neighbours in IPv6 unicast instead of FRR's IPv4-only "traditional" default).
  const families = n.address_families ?? [familyOf(address)];
  return clean({
    address,
    remote_asn: n.remote_asn,
    description: n.description,
    update_source: n.update_source === undefined ? undefined : canonAddress(n.update_source),
    route_reflector_client: trueOrUndefined(n.route_reflector_client),
    next_hop_self: trueOrUndefined(n.next_hop_self),
    password_env: n.password_env && daemon === "frr" ? SECRET_SET : n.password_env,
    address_families: [...new Set(families)].sort(compareText),
  });
}

function normalizeBgp(b: Bgp, daemon: Daemon, intent: DeviceIntent): Bgp {
  // bird has one router id for every protocol (the OSPF one here); FRR's bgpd takes zebra's.
  const ownId = b.router_id === undefined ? undefined : canonAddress(b.router_id);
  const routerId =
    ownId ?? (daemon === "bird" && intent.ospf ? canonAddress(intent.ospf.router_id) : undefined);
  const clusterId = b.cluster_id === undefined ? undefined : canonAddress(b.cluster_id);
  return clean({
    asn: b.asn,
    router_id: routerId,
    // Both daemons use the router id as cluster id when none is set.
    cluster_id: clusterId === routerId ? undefined : clusterId,
    neighbors: b.neighbors.map((n) => normalizeNeighbor(n, daemon)).sort(byKey((n) => n.address, compareIp)),
    announce: nonEmpty(ipSet(b.announce ?? [], canonNetwork)),
  });
}

function normalizeStaticRoute(r: StaticRoute, daemon: Daemon): StaticRoute {
  const defaultDistance =
    daemon === "bird" ? BIRD_STATIC_DISTANCE : daemon === "frr" ? FRR_STATIC_DISTANCE : undefined;
  return clean({
    prefix: canonNetwork(r.prefix),
    via: r.via === undefined ? undefined : canonAddress(r.via),
    interface: r.interface,
    blackhole: trueOrUndefined(r.blackhole),
    distance: r.distance === defaultDistance ? undefined : r.distance,
  });
}

const routeKey = (r: StaticRoute) => `${r.via ?? ""} ${r.interface ?? ""} ${r.blackhole ? "blackhole" : ""}`;

/**
 * Raw snippets compare line by line: trailing blanks, blank lines and, for FRR, the "!" comments
 * and "exit"/"end" lines that running-config adds or drops are not meaningful.
 */
export function normalizeRaw(text: string, kind: "bird" | "frr"): string | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .filter((l) => l.trim() !== "")
    .filter((l) => kind !== "frr" || !/^\s*(!.*|exit|end)$/.test(l));
  return lines.length > 0 ? `${lines.join("\n")}\n` : undefined;
}

export function normalizeDebian(intent: DeviceIntent): DeviceIntent {
  const daemon = intent.routing_daemon;
  const raw = intent.raw
    ? clean({
        bird: intent.raw.bird === undefined ? undefined : normalizeRaw(intent.raw.bird, "bird"),
        frr: intent.raw.frr === undefined ? undefined : normalizeRaw(intent.raw.frr, "frr"),
      })
    : undefined;
  return clean({
    routing_daemon: daemon,
    // An empty list and an absent section read back the same: nothing of that kind on the device.
    interfaces: nonEmpty(intent.interfaces?.map(normalizeInterface).sort(byKey((i) => i.name))),
    wireguard: nonEmpty(intent.wireguard?.map(normalizeWireguard).sort(byKey((w) => w.name))),
    ospf: intent.ospf ? normalizeOspf(intent.ospf, daemon, intent) : undefined,
    bgp: intent.bgp ? normalizeBgp(intent.bgp, daemon, intent) : undefined,
    static_routes: nonEmpty(
      intent.static_routes
        ?.map((r) => normalizeStaticRoute(r, daemon))
        .sort((a, b) => compareIp(a.prefix, b.prefix) || compareText(routeKey(a), routeKey(b))),
    ),
    forwarding: intent.forwarding
      ? { ipv4: intent.forwarding.ipv4 ?? false, ipv6: intent.forwarding.ipv6 ?? false }
      : undefined,
    raw: raw && Object.keys(raw).length > 0 ? raw : undefined,
  });
}
