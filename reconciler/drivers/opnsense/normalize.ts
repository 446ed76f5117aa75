// The projection of a state onto what OPNsense's config.xml can hold and the driver reads back,
// applied to both sides before they are compared. Pure and idempotent.
// - dropped: descriptions of WireGuard instances and peers (OPNsense's name fields take no spaces),
//   OSPF wait and area stub flags, BGP cluster id and address families (not in the plugin's model),
//   non-loopback interfaces and static routes (not managed), raw (compared as the file: the plan's
//   diff of config.xml shows a raw value that differs);
// - filled: the instance name ("ospf": one OSPFv2 instance), rule defaults (direction in, IPv4);
// - canonical: addresses, sets sorted, keyed lists by key, secrets reduced to "one is set".
import {
  byKey,
  canonAddress,
  canonEndpoint,
  canonInterfaceAddress,
  canonNetwork,
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
  OspfInterface,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import { SECRET_SET } from "./vocabulary.ts";

const prune = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
};
const some = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length > 0 ? xs : undefined);

function normInterface(i: NetInterface): NetInterface {
  return prune({
    name: i.name,
    kind: i.kind,
    addresses: some(ipSet(i.addresses ?? [], canonInterfaceAddress)),
    description: i.description || undefined,
  });
}

function normPeer(p: WireguardPeer): WireguardPeer {
  return prune({
    public_key: p.public_key,
    endpoint: p.endpoint ? canonEndpoint(p.endpoint) : undefined,
    allowed_ips: ipSet(p.allowed_ips, canonInterfaceAddress),
    persistent_keepalive: p.persistent_keepalive || undefined,
    preshared_key_env: p.preshared_key_env ? SECRET_SET : undefined,
  });
}

function normWireguard(w: WireguardInterface): WireguardInterface {
  return prune({
    name: w.name,
    listen_port: w.listen_port,
    addresses: some(ipSet(w.addresses ?? [], canonInterfaceAddress)),
    mtu: w.mtu,
    table: w.table ?? "auto",
    peers: w.peers.map(normPeer).sort(byKey((p) => p.public_key)),
  });
}

function normOspfInterface(i: OspfInterface): OspfInterface {
  const a = i.authentication;
  return prune({
    name: i.name,
    passive: i.passive ? true : undefined,
    type: i.type,
    cost: i.cost,
    hello: i.hello,
    dead: i.dead,
    retransmit: i.retransmit,
    // Only MD5 ("cryptographic") exists in the plugin; the check refuses "simple".
    authentication:
      a && a.type === "cryptographic"
        ? prune({
            type: a.type,
            key_id: a.key_id ?? 1,
            password_env: a.password_env ? SECRET_SET : undefined,
          })
        : undefined,
  });
}

function normArea(a: OspfArea): OspfArea {
  return prune({
    id: String(a.id),
    interfaces: some((a.interfaces ?? []).map(normOspfInterface).sort(byKey((i) => i.name))),
    stub_networks: some(
      ipSet(
        (a.stub_networks ?? []).filter((s) => !s.includes(":")),
        canonNetwork,
      ),
    ),
  });
}

function normOspf(o: Ospf): Ospf | undefined {
  const inst = o.instances.find((i) => i.version === 2);
  if (!inst) return undefined;
  return {
    router_id: inst.router_id ?? o.router_id,
    instances: [
      prune({
        name: "ospf",
        version: 2 as const,
        router_id: inst.router_id ?? o.router_id,
        redistribute: some([...new Set(inst.redistribute ?? [])].sort()),
        areas: inst.areas
          .map(normArea)
          .filter((a) => a.interfaces || a.stub_networks)
          .sort(byKey((a) => a.id, compareIp)),
      }),
    ],
  };
}

function normBgp(b: Bgp): Bgp {
  return prune({
    asn: b.asn,
    router_id: b.router_id,
    neighbors: b.neighbors
      .map((n) =>
        prune({
          address: canonAddress(n.address),
          remote_asn: n.remote_asn,
          description: n.description || undefined,
          update_source: n.update_source ? canonAddress(n.update_source) : undefined,
          route_reflector_client: n.route_reflector_client ? true : undefined,
          next_hop_self: n.next_hop_self ? true : undefined,
        }),
      )
      .sort(byKey((n) => n.address, compareIp)),
    announce: some(ipSet(b.announce ?? [], canonInterfaceAddress)),
  });
}

function normRule(r: FirewallRule): FirewallRule {
  const any = (v: string | undefined) => (v === undefined || v === "any" ? undefined : v);
  const port = r.destination_port;
  return prune({
    description: r.description,
    action: r.action,
    interface: r.interface,
    direction: r.direction ?? "in",
    ip_version: r.ip_version ?? "ipv4",
    protocol: r.protocol,
    source: any(r.source),
    destination: any(r.destination),
    destination_port: typeof port === "string" && /^\d+$/.test(port) ? Number(port) : port,
    log: r.log ? true : undefined,
    enabled: r.enabled === false ? false : undefined,
  });
}

export function normalizeOpnsense(intent: DeviceIntent): DeviceIntent {
  const out: DeviceIntent = {};
  const loopbacks = (intent.interfaces ?? []).filter((i) => i.kind === "loopback");
  if (loopbacks.length) out.interfaces = loopbacks.map(normInterface).sort(byKey((i) => i.name));
  if (intent.wireguard?.length)
    out.wireguard = intent.wireguard.map(normWireguard).sort(byKey((w) => w.name));
  const ospf = intent.ospf ? normOspf(intent.ospf) : undefined;
  if (ospf) out.ospf = ospf;
  if (intent.bgp) out.bgp = normBgp(intent.bgp);
  const fw = intent.firewall;
  if (fw && (fw.rules.length || fw.aliases?.length))
    out.firewall = prune({
      aliases: some(
        (fw.aliases ?? [])
          .map((a) =>
            prune({
              name: a.name,
              type: a.type,
              content: [...a.content],
              description: a.description || undefined,
            }),
          )
          .sort(byKey((a) => a.name)),
      ),
      rules: fw.rules.map(normRule),
    });
  return out;
}
