// Pure: the LiveState of an OPNsense box from its (redacted) config.xml. What the model can say is
// read into the desired-state vocabulary; of the lists inside a section (peers, OSPF interfaces,
// BGP neighbours, aliases, rules) only the reconciler's own items are, the others are reported as
// unmanaged and never touched (their presence is not drift). `<revision>` is left out of the
// fingerprint: every save rewrites it.
import { createHash } from "node:crypto";
import { canonAddress, familyOf } from "../../model/canonical.ts";
import type { LiveState } from "../../model/live.ts";
import type { Unmanaged } from "../../model/plan.ts";
import type {
  BgpNeighbor,
  DeviceIntent,
  FirewallRule,
  NetInterface,
  OspfArea,
  OspfInterface,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import { CONFIG_XML, QUAGGA } from "./paths.ts";
import { type ConfigView, viewOf } from "./view.ts";
import {
  csv,
  IP_PROTOCOLS,
  int,
  joinEndpoint,
  NETWORK_TYPES,
  PROTOCOLS,
  reverse,
  SECRET_SET,
} from "./vocabulary.ts";
import { at, child, leaf, parseXml, type XmlElement } from "./xml.ts";

export interface OpnsenseLiveState extends LiveState {
  /** Items on the box the reconciler did not make, for the plan's unmanaged list. */
  unmanagedItems: Unmanaged[];
  ownedPaths: string[];
}

const prune = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
};
const flag = (el: XmlElement | undefined, name: string) => {
  const v = leaf(el, name);
  return v !== undefined && v !== "" && v !== "0";
};
const nonEmpty = <T>(xs: T[]): T[] | undefined => (xs.length > 0 ? xs : undefined);

/** The config.xml text without the root's <revision> element (every save rewrites it), for the fingerprint. */
export function withoutRevision(text: string): string {
  let rev: XmlElement | undefined;
  try {
    rev = child(parseXml(text).root, "revision");
  } catch {
    // Not XML: the read refuses it anyway; the fingerprint is then over the text as it is.
  }
  return rev ? text.slice(0, rev.start) + text.slice(rev.end) : text;
}

export function fingerprintOf(artifacts: Readonly<Record<string, string | null>>): string {
  // Only config.xml is configuration; the running state (counters, handshakes) changes by itself.
  return createHash("sha256")
    .update(withoutRevision(artifacts[CONFIG_XML] ?? ""))
    .digest("hex");
}

function interfacesOf(v: ConfigView): NetInterface[] {
  return v.loopbacks.map((lb) => {
    const dev = lb.key;
    const a = v.assignments.get(v.devToIdent.get(dev) ?? "");
    const addresses: string[] = [];
    const v4 = leaf(a, "ipaddr");
    const v6 = leaf(a, "ipaddrv6");
    if (v4 && /^[0-9.]+$/.test(v4)) addresses.push(`${v4}/${leaf(a, "subnet") || "32"}`);
    if (v6?.includes(":")) addresses.push(`${v6}/${leaf(a, "subnetv6") || "128"}`);
    return prune({
      name: dev,
      kind: "loopback" as const,
      addresses: nonEmpty(addresses),
      description: leaf(lb.el, "description") || undefined,
    });
  });
}

function peerOf(c: XmlElement): WireguardPeer {
  const host = leaf(c, "serveraddress") ?? "";
  return prune({
    public_key: leaf(c, "pubkey") ?? "",
    endpoint: host === "" ? undefined : joinEndpoint(host, leaf(c, "serverport") ?? ""),
    allowed_ips: csv(leaf(c, "tunneladdress")),
    persistent_keepalive: int(leaf(c, "keepalive")) || undefined,
    preshared_key_env: (leaf(c, "psk") ?? "") !== "" ? SECRET_SET : undefined,
  });
}

function wireguardOf(v: ConfigView, unmanaged: Unmanaged[]): WireguardInterface[] {
  return v.servers.map((s) => {
    // An instance that is not the reconciler's is reported whole (the planner's shared collection).
    for (const p of s.owned ? s.peers.filter((x) => !x.owned) : [])
      unmanaged.push({
        path: `wireguard[${s.dev}].peers[${leaf(p.el, "pubkey") ?? p.uuid}]`,
        value: leaf(p.el, "name") ?? "",
      });
    return prune({
      name: s.dev,
      listen_port: int(leaf(s.el, "port")),
      addresses: nonEmpty(csv(leaf(s.el, "tunneladdress"))),
      mtu: int(leaf(s.el, "mtu")),
      table: flag(s.el, "disableroutes") ? ("off" as const) : ("auto" as const),
      peers: s.peers.filter((p) => p.owned).map((p) => peerOf(p.el)),
    });
  });
}

/** The addresses of a device's interface as the state describes them (for networks and update sources). */
function addressesOf(state: DeviceIntent, dev: string): string[] {
  return [
    ...(state.interfaces ?? []).filter((i) => i.name === dev).flatMap((i) => i.addresses ?? []),
    ...(state.wireguard ?? []).filter((w) => w.name === dev).flatMap((w) => w.addresses ?? []),
  ];
}

/** The network an interface address is in, as OPNsense's OSPF networks hold it: "192.0.2.0/24". */
export function networkOf(address: string): string {
  const [ip = "", len = "32"] = address.split("/");
  const bits = Number(len);
  const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join(".")}/${bits}`;
}

function ospfOf(v: ConfigView, state: DeviceIntent, unmanaged: Unmanaged[]): DeviceIntent["ospf"] {
  const ospf = at(v.doc.root, ...QUAGGA, "ospf");
  if (!flag(ospf, "enabled")) return undefined;
  const types = reverse(NETWORK_TYPES);
  const passive = new Set(csv(leaf(ospf, "passiveinterfaces")).map((i) => v.identToDev.get(i) ?? i));
  const areas = new Map<string, OspfArea>();
  const area = (id: string) => {
    const a = areas.get(id) ?? { id };
    areas.set(id, a);
    return a;
  };
  for (const it of v.ospfInterfaces) {
    if (!it.owned) {
      unmanaged.push({ path: `ospf.interfaces[${it.key}]`, value: leaf(it.el, "area") ?? "" });
      continue;
    }
    const el = it.el;
    const auth = leaf(el, "authtype") === "message-digest";
    const i: OspfInterface = prune({
      name: it.key,
      passive: passive.has(it.key) ? true : undefined,
      type: types[leaf(el, "networktype") ?? ""],
      cost: int(leaf(el, "cost")),
      hello: int(leaf(el, "hellointerval")),
      dead: int(leaf(el, "deadinterval")),
      retransmit: int(leaf(el, "retransmitinterval")),
      authentication: auth
        ? prune({
            type: "cryptographic" as const,
            key_id: int(leaf(el, "authkey_id")),
            password_env: (leaf(el, "authkey") ?? "") !== "" ? SECRET_SET : undefined,
          })
        : undefined,
    });
    const a = area(leaf(el, "area") || "0.0.0.0");
    a.interfaces = [...(a.interfaces ?? []), i];
  }
  // A network that an OSPF interface's own address implies is how that interface is in OSPF;
  // the others are stub networks.
  for (const n of v.ospfNetworks) {
    if (!n.owned) {
      unmanaged.push({ path: `ospf.networks[${n.key}]`, value: n.key });
      continue;
    }
    const prefix = `${leaf(n.el, "ipaddr")}/${leaf(n.el, "netmask")}`;
    const a = area(leaf(n.el, "area") || "0.0.0.0");
    const implied = (a.interfaces ?? []).some((i) =>
      addressesOf(state, i.name).some((addr) => familyOf(addr) === "ipv4" && networkOf(addr) === prefix),
    );
    if (!implied) a.stub_networks = [...(a.stub_networks ?? []), prefix];
  }
  const redistribute = csv(leaf(ospf, "redistribute")).filter((r): r is "connected" | "static" | "bgp" =>
    ["connected", "static", "bgp"].includes(r),
  );
  const routerId = leaf(ospf, "routerid") ?? "";
  return {
    router_id: routerId,
    instances: [
      prune({
        name: "ospf",
        version: 2 as const,
        router_id: routerId || undefined,
        redistribute: nonEmpty(redistribute),
        areas: [...areas.values()],
      }),
    ],
  };
}

function bgpOf(v: ConfigView, state: DeviceIntent, unmanaged: Unmanaged[]): DeviceIntent["bgp"] {
  const bgp = at(v.doc.root, ...QUAGGA, "bgp");
  if (!flag(bgp, "enabled")) return undefined;
  const neighbors: BgpNeighbor[] = [];
  for (const n of v.bgpNeighbors) {
    if (!n.owned) {
      unmanaged.push({ path: `bgp.neighbors[${n.key}]`, value: leaf(n.el, "description") ?? "" });
      continue;
    }
    const address = n.key;
    const dev = v.identToDev.get(leaf(n.el, "updatesource") ?? "") ?? leaf(n.el, "updatesource") ?? "";
    // The update source is an interface in OPNsense's model: its address of the neighbour's family.
    const source = addressesOf(state, dev).find((a) => familyOf(a) === familyOf(address));
    neighbors.push(
      prune({
        address,
        remote_asn: int(leaf(n.el, "remoteas")) ?? 0,
        description: leaf(n.el, "description") || undefined,
        update_source: source ? canonAddress(source.split("/")[0] as string) : undefined,
        route_reflector_client: flag(n.el, "rrclient") ? true : undefined,
        next_hop_self: flag(n.el, "nexthopself") ? true : undefined,
      }),
    );
  }
  return prune({
    asn: int(leaf(bgp, "asnumber")) ?? 0,
    router_id: leaf(bgp, "routerid") || undefined,
    neighbors,
    announce: nonEmpty(csv(leaf(bgp, "networks"))),
  });
}

function addressOf(el: XmlElement | undefined): string | undefined {
  if (!el || child(el, "any")) return undefined;
  return leaf(el, "address") ?? leaf(el, "network") ?? undefined;
}

function ruleOf(v: ConfigView, el: XmlElement): FirewallRule {
  const protocols = reverse(PROTOCOLS);
  const ipv = reverse(IP_PROTOCOLS);
  const dst = child(el, "destination");
  const port = leaf(dst, "port");
  const ident = leaf(el, "interface") ?? "";
  return prune({
    description: leaf(el, "descr") ?? "",
    action: (leaf(el, "type") ?? "pass") as FirewallRule["action"],
    interface: ident === "" ? undefined : (v.identToDev.get(ident) ?? ident),
    direction: (leaf(el, "direction") || "in") as FirewallRule["direction"],
    ip_version: ipv[leaf(el, "ipprotocol") ?? "inet"] ?? "ipv4",
    protocol: protocols[leaf(el, "protocol") ?? ""] ?? "any",
    source: addressOf(child(el, "source")),
    destination: addressOf(dst),
    destination_port: port ? (/^\d+$/.test(port) ? Number(port) : port) : undefined,
    log: flag(el, "log") ? true : undefined,
    enabled: flag(el, "disabled") ? false : undefined,
  });
}

function firewallOf(v: ConfigView, unmanaged: Unmanaged[]): DeviceIntent["firewall"] {
  const aliases = v.aliases.flatMap((a) => {
    if (!a.owned) {
      unmanaged.push({ path: `firewall.aliases[${a.key}]`, value: leaf(a.el, "type") ?? "" });
      return [];
    }
    const type = leaf(a.el, "type") as "host" | "network" | "port";
    const content = (leaf(a.el, "content") ?? "")
      .split("\n")
      .map((s) => s.trim())
      .filter((s) => s !== "")
      .map((s) => (type === "port" && /^\d+$/.test(s) ? Number(s) : s));
    return [prune({ name: a.key, type, content, description: leaf(a.el, "description") || undefined })];
  });
  const rules = v.rules.flatMap((r) => {
    if (!r.owned) {
      unmanaged.push({
        path: `firewall.rules[${r.key || r.uuid || "(no description)"}]`,
        value: leaf(r.el, "type") ?? "",
      });
      return [];
    }
    return [ruleOf(v, r.el)];
  });
  if (aliases.length === 0 && rules.length === 0) return undefined;
  return prune({ aliases: nonEmpty(aliases), rules });
}

/** The intent, what is the reconciler's, and what is not, from a parsed config.xml. */
export function stateFromConfig(text: string, device: string) {
  const v = viewOf(parseXml(text), device);
  const unmanaged: Unmanaged[] = [];
  const state: DeviceIntent = {};
  const interfaces = interfacesOf(v);
  if (interfaces.length) state.interfaces = interfaces;
  const wireguard = wireguardOf(v, unmanaged);
  if (wireguard.length) state.wireguard = wireguard;
  const ospf = ospfOf(v, state, unmanaged);
  if (ospf) state.ospf = ospf;
  const bgp = bgpOf(v, state, unmanaged);
  if (bgp) state.bgp = bgp;
  const firewall = firewallOf(v, unmanaged);
  if (firewall) state.firewall = firewall;
  const owned = [
    ...v.loopbacks.filter((l) => l.owned).map((l) => `interfaces[${l.key}]`),
    ...v.servers.filter((s) => s.owned).map((s) => `wireguard[${s.dev}]`),
    ...(v.ospfInterfaces.some((i) => i.owned) || v.ospfNetworks.some((n) => n.owned) ? ["ospf"] : []),
    ...(v.bgpNeighbors.some((n) => n.owned) ? ["bgp"] : []),
    ...(v.rules.some((r) => r.owned) || v.aliases.some((a) => a.owned) ? ["firewall"] : []),
  ];
  const publicKeys: Record<string, string> = {};
  for (const s of v.servers) {
    const k = leaf(s.el, "pubkey");
    if (k) publicKeys[s.dev] = k;
  }
  return { state, owned, unmanaged, publicKeys, view: v };
}

export function liveStateFromArtifacts(
  device: string,
  artifacts: Record<string, string | null>,
): OpnsenseLiveState {
  const { state, owned, unmanaged, publicKeys } = stateFromConfig(artifacts[CONFIG_XML] ?? "", device);
  return {
    device,
    platform: "opnsense",
    state,
    artifacts,
    publicKeys,
    fingerprint: fingerprintOf(artifacts),
    unmanagedItems: unmanaged,
    ownedPaths: owned,
  };
}
