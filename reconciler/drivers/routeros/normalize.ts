// The projection of a state onto what a RouterOS v7 device reads back, applied to both the desired
// and the live state before they are compared: the defaults RouterOS fills in made explicit, what
// it cannot store dropped, sets sorted, secrets reduced to "one is set". Pure.
import {
  byKey,
  canonAddress,
  canonEndpoint,
  canonInterfaceAddress,
  compareIp,
  ipSet,
} from "../../model/canonical.ts";
import type {
  Bgp,
  DeviceIntent,
  FirewallRule,
  NetInterface,
  Ospf,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import { ROUTEROS_DEFAULTS, SECRET_SET } from "./vocabulary.ts";

const prune = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
};

/** An area id as RouterOS prints it: dotted quad ("0" and 0 are 0.0.0.0). */
export function canonAreaId(id: string | number): string {
  const t = String(id);
  if (/^\d{1,10}$/.test(t)) {
    const n = Number(t) >>> 0;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  }
  return t;
}

/** RouterOS has no loopback or dummy kind beyond lo: a bridge without ports stands for them. */
export function routerosKind(i: Pick<NetInterface, "name" | "kind">): NetInterface["kind"] {
  if (i.kind === "dummy" || (i.kind === "loopback" && i.name !== "lo")) return "bridge";
  return i.kind;
}

function normInterface(i: NetInterface): NetInterface {
  return prune({
    name: i.name,
    kind: routerosKind(i),
    addresses: i.addresses?.length ? ipSet(i.addresses, canonInterfaceAddress) : undefined,
    mtu: i.mtu,
    description: i.description,
    vlan: i.vlan ? { parent: i.vlan.parent, id: i.vlan.id } : undefined,
  });
}

function normPeer(p: WireguardPeer): WireguardPeer {
  return prune({
    public_key: p.public_key,
    description: p.description,
    endpoint: p.endpoint ? canonEndpoint(p.endpoint) : undefined,
    allowed_ips: ipSet(p.allowed_ips, canonInterfaceAddress),
    persistent_keepalive: p.persistent_keepalive ? p.persistent_keepalive : undefined,
    preshared_key_env: p.preshared_key_env ? SECRET_SET : undefined,
  });
}

/**
 * A port RouterOS picks itself for a WireGuard interface added without one: 13231, or the next
 * free one above it (a second interface gets 13232, as `interface wireguard print` shows). Such a
 * port and "unset" compare equal; the price is that an explicit port in that range is not told
 * from the one RouterOS picked.
 */
export function isAutoListenPort(port: number | undefined): boolean {
  const first = ROUTEROS_DEFAULTS.wireguardListenPort;
  return port === undefined || (port >= first && port < first + 256);
}

function normWireguard(w: WireguardInterface): WireguardInterface {
  // No table on RouterOS: a WireGuard interface never installs routes for its allowed addresses,
  // which is wg-quick's Table = off; the field cannot be read back, so it is left out.
  return prune({
    name: w.name,
    listen_port: isAutoListenPort(w.listen_port) ? undefined : w.listen_port,
    addresses: w.addresses?.length ? ipSet(w.addresses, canonInterfaceAddress) : undefined,
    mtu: w.mtu ?? ROUTEROS_DEFAULTS.wireguardMtu,
    description: w.description,
    peers: [...w.peers].map(normPeer).sort(byKey((p) => p.public_key)),
  });
}

/** The parameters of an OSPF interface with RouterOS's defaults filled in (no wait interval there). */
export function normOspfInterface(i: OspfInterface): OspfInterface {
  const auth = i.authentication;
  const authOut =
    auth && auth.type !== "none"
      ? prune({
          type: auth.type,
          key_id: auth.type === "cryptographic" ? (auth.key_id ?? 1) : undefined,
          password_env: auth.password_env ? SECRET_SET : undefined,
        })
      : undefined;
  return prune({
    name: i.name,
    passive: i.passive ? true : undefined,
    type: i.type ?? ROUTEROS_DEFAULTS.ospfType,
    cost: i.cost ?? ROUTEROS_DEFAULTS.ospfCost,
    hello: i.hello ?? ROUTEROS_DEFAULTS.ospfHello,
    dead: i.dead ?? ROUTEROS_DEFAULTS.ospfDead,
    retransmit: i.retransmit ?? ROUTEROS_DEFAULTS.ospfRetransmit,
    authentication: authOut,
  });
}

function normArea(a: OspfArea): OspfArea {
  return prune({
    id: canonAreaId(a.id),
    stub: a.stub ? true : undefined,
    interfaces: a.interfaces?.length
      ? a.interfaces.map(normOspfInterface).sort(byKey((i) => i.name))
      : undefined,
    stub_networks: a.stub_networks?.length ? ipSet(a.stub_networks, canonInterfaceAddress) : undefined,
  });
}

function normInstance(inst: OspfInstance, routerId: string): OspfInstance {
  return prune({
    name: inst.name,
    version: inst.version,
    // RouterOS v7's OSPFv3 carries IPv6; OSPFv2 IPv4.
    address_family: inst.version === 3 ? (inst.address_family ?? "ipv6") : undefined,
    router_id: inst.router_id ?? routerId,
    redistribute: inst.redistribute?.length ? [...new Set(inst.redistribute)].sort() : undefined,
    areas: inst.areas.map(normArea).sort(byKey((a) => a.id, compareIp)),
  });
}

function normOspf(o: Ospf): Ospf {
  return {
    router_id: o.router_id,
    instances: o.instances.map((i) => normInstance(i, o.router_id)).sort(byKey((i) => i.name)),
  };
}

function normBgp(b: Bgp): Bgp {
  return prune({
    asn: b.asn,
    router_id: b.router_id,
    cluster_id: b.cluster_id,
    neighbors: b.neighbors
      .map((n) =>
        prune({
          address: canonAddress(n.address),
          remote_asn: n.remote_asn,
          description: n.description,
          update_source: n.update_source ? canonAddress(n.update_source) : undefined,
          route_reflector_client: n.route_reflector_client ? true : undefined,
          next_hop_self: n.next_hop_self ? true : undefined,
          password_env: n.password_env ? SECRET_SET : undefined,
          address_families: n.address_families?.length
            ? [...new Set(n.address_families)].sort()
            : ["ipv4" as const],
        }),
      )
      .sort(byKey((n) => n.address, compareIp)),
    announce: b.announce?.length ? ipSet(b.announce, canonInterfaceAddress) : undefined,
  });
}

function normRoute(r: StaticRoute): StaticRoute {
  return prune({
    prefix: canonInterfaceAddress(r.prefix),
    via: r.blackhole ? undefined : r.via ? canonAddress(r.via) : undefined,
    interface: r.blackhole ? undefined : r.interface,
    blackhole: r.blackhole ? true : undefined,
    distance: r.distance ?? ROUTEROS_DEFAULTS.staticDistance,
    description: r.description,
  });
}

function normRule(r: FirewallRule): FirewallRule {
  const any = (v: string | undefined) => (v === undefined || v === "any" ? undefined : v);
  return prune({
    description: r.description,
    action: r.action,
    interface: r.interface,
    direction: r.interface ? (r.direction ?? "in") : undefined,
    ip_version: r.ip_version ?? "ipv4",
    protocol: r.protocol,
    source: any(r.source),
    destination: any(r.destination),
    destination_port: r.destination_port,
    log: r.log ? true : undefined,
    enabled: r.enabled === false ? false : undefined,
  });
}

/**
 * The rules as RouterOS holds them: one table per family (IPv4 rules in /ip firewall filter, IPv6
 * in /ipv6 firewall filter, so only the order within a family means anything), one protocol per
 * rule ("any" IP version is a rule in each table, tcp/udp a tcp rule then a udp rule).
 */
function firewallRules(rules: readonly FirewallRule[]): FirewallRule[] {
  const expanded = rules.map(normRule).flatMap((r) => {
    const families: ("ipv4" | "ipv6")[] =
      r.ip_version === "any" ? ["ipv4", "ipv6"] : [r.ip_version ?? "ipv4"];
    const protocols: FirewallRule["protocol"][] = r.protocol === "tcp/udp" ? ["tcp", "udp"] : [r.protocol];
    return families.flatMap((ip_version) =>
      protocols.map((protocol) => ({
        ...r,
        ip_version,
        protocol: ip_version === "ipv6" && protocol === "icmp" ? ("icmpv6" as const) : protocol,
      })),
    );
  });
  return [
    ...expanded.filter((r) => r.ip_version === "ipv4"),
    ...expanded.filter((r) => r.ip_version === "ipv6"),
  ];
}

/** See the module comment. The sections RouterOS does not manage (and raw) are left out. */
export function normalizeRouteros(intent: DeviceIntent): DeviceIntent {
  const out: DeviceIntent = {};
  if (intent.interfaces?.length)
    out.interfaces = intent.interfaces.map(normInterface).sort(byKey((i) => i.name));
  if (intent.wireguard?.length)
    out.wireguard = intent.wireguard.map(normWireguard).sort(byKey((w) => w.name));
  if (intent.ospf) out.ospf = normOspf(intent.ospf);
  if (intent.bgp) out.bgp = normBgp(intent.bgp);
  if (intent.static_routes?.length)
    out.static_routes = intent.static_routes.map(normRoute).sort(byKey((r) => r.prefix, compareIp));
  if (intent.forwarding && (intent.forwarding.ipv4 === false || intent.forwarding.ipv6 === false))
    out.forwarding = { ipv4: intent.forwarding.ipv4 !== false, ipv6: intent.forwarding.ipv6 !== false };
  if (intent.firewall?.rules.length || intent.firewall?.aliases?.length)
    out.firewall = prune({
      aliases: intent.firewall.aliases?.length ? structuredClone(intent.firewall.aliases) : undefined,
      rules: firewallRules(intent.firewall.rules),
    });
  return out;
}
