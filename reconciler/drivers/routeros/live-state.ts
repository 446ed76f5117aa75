// From a parsed `/export terse show-sensitive` to the shared model: interfaces (bridges, VLANs,
// ethernets that the export names), WireGuard interfaces and peers, IPv4/IPv6 addresses, OSPF
// (instance, area, interface-template), BGP (template, connection), static routes, the filter
// rules the model can express, and IP forwarding. Everything else, and every property the model
// has no field for, is kept as an unmanaged item (reported, never removed). Pure.
//
// Secrets: private keys are used once, to derive the interface's public key, and dropped; a
// preshared key, an OSPF auth key or a BGP TCP-MD5 key becomes SECRET_SET ("one is set"); the
// canonical text kept as the artifact has every secret replaced by <redacted>.
import { createPrivateKey, createPublicKey } from "node:crypto";
import { canonAddress } from "../../model/canonical.ts";
import { parseAddress, parsePrefix } from "../../model/ip.ts";
import type {
  Bgp,
  BgpNeighbor,
  DeviceIntent,
  Firewall,
  FirewallRule,
  NetInterface,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import type { ExportHeader, ExportItem, ParsedExport, Selector } from "./parse-export.ts";
import { findWhere, formatProperties, quoteValue } from "./quote.ts";
import {
  isSecretProperty,
  MENU,
  parseDuration,
  REDACTED,
  ROUTEROS_DEFAULTS,
  readComment,
  SECRET_SET,
  yes,
} from "./vocabulary.ts";

/** An item (or some properties of a managed item) that the model does not describe. */
export interface UnmanagedItem {
  /** The export line it came from. */
  line: number;
  /** The item as a command line, secrets redacted, e.g. `/ip dns set servers=192.0.2.53`. */
  text: string;
  /** For a managed item: the properties left out of the model. */
  properties?: string[];
}

/** Where a model item lives on the device: its menu and the selector that finds it. */
export interface ItemRef {
  path: string;
  /** e.g. `[ find where name="wg-core" ]` */
  find: string;
  /** The item's properties as read (secrets redacted). */
  properties: Record<string, string>;
  marked: boolean;
  /** disabled=yes: in the model as if it ran (the model has no such flag); the plan enables it. */
  disabled: boolean;
}

/** The device's items the planner needs beside the model: names, ids, what refers to what. */
export interface RouterosInventory {
  /** interface name -> its menu item (bridges, VLANs, ethernets, WireGuard interfaces). */
  interfaces: Map<string, ItemRef & { kind: string }>;
  /** `${interface}|${public key}` -> the peer item. */
  peers: Map<string, ItemRef>;
  /** `${interface}|${address}` -> the address item (canonical address). */
  addresses: Map<string, ItemRef>;
  /** instance name -> the instance item. */
  ospfInstances: Map<string, ItemRef>;
  /** `${instance}|${area id}` -> the area item and its name. */
  ospfAreas: Map<string, ItemRef & { name: string; instance: string; id: string }>;
  /** The interface templates the model reads (those naming interfaces). */
  ospfTemplates: (ItemRef & { area: string; interfaces: string[] })[];
  /** remote address -> the connection, with its own AS, router id and cluster id (resolved). */
  bgpConnections: Map<
    string,
    ItemRef & { name: string; asn?: number; routerId?: string; clusterId?: string }
  >;
  /** prefix -> the route. */
  routes: Map<string, ItemRef & { family: 4 | 6 }>;
  /** Mapped filter rules, in order, each with its table. */
  filterRules: (ItemRef & { family: 4 | 6; rule: FirewallRule })[];
  /** Every item of the export (secrets redacted), for raw lines to be compared with. */
  items: ExportItem[];
}

export interface RouterosLive {
  state: DeviceIntent;
  unmanaged: UnmanagedItem[];
  /** Paths such as "wireguard[wg-core]", "ospf" (see Driver.owned). */
  owned: string[];
  /** WireGuard interface -> public key (derived from the private key the export shows). */
  publicKeys: Record<string, string>;
  inventory: RouterosInventory;
  header: ExportHeader;
  /** The export re-rendered in a stable order, secrets redacted, header dropped. */
  canonical: string;
}

const nameFind = (name: string) => findWhere([["name", name]]);

/** The selector as RouterOS reads it again. */
export function selectorText(s: Selector | undefined): string {
  if (!s) return "";
  switch (s.kind) {
    case "find":
      return findWhere(Object.entries(s.where));
    case "index":
      return String(s.index);
    case "id":
      return s.id;
    case "name":
      return quoteValue(s.name);
  }
}

function redacted(props: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) out[k] = isSecretProperty(k) && v !== "" ? REDACTED : v;
  return out;
}

/** One item as a command line, secrets redacted. */
export function itemText(item: ExportItem): string {
  const props = Object.entries(redacted(item.properties));
  const parts = [item.path, item.command];
  const sel = selectorText(item.selector);
  if (sel) parts.push(sel);
  for (const [k, v] of props) {
    try {
      parts.push(formatProperties([[k, v]]));
    } catch {
      parts.push(`${quoteValue(k)}=${quoteValue(v)}`);
    }
  }
  parts.push(...item.flags.map((f) => quoteValue(f)));
  return parts.join(" ");
}

/** The WireGuard public key of a base64 private key, or undefined when it is not one. */
export function wireguardPublicKey(privateKey: string): string | undefined {
  const raw = Buffer.from(privateKey, "base64");
  if (raw.length !== 32 || !/^[A-Za-z0-9+/]{43}=$/.test(privateKey)) return undefined;
  try {
    const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), raw]);
    const pub = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
    const spki = pub.export({ format: "der", type: "spki" });
    return Buffer.from(spki.subarray(spki.length - 32)).toString("base64");
  } catch {
    return undefined;
  }
}

const num = (v: string | undefined): number | undefined =>
  v !== undefined && /^\d{1,10}$/.test(v) ? Number(v) : undefined;

/** An address as the model writes it: with its prefix length (/32, /128 when RouterOS omits it). */
function interfaceAddress(text: string, family: 4 | 6): string | undefined {
  const withLength = text.includes("/") ? text : `${text}/${family === 4 ? 32 : 128}`;
  const p = parsePrefix(withLength);
  if (!p || p.family !== family) return undefined;
  const slash = withLength.indexOf("/");
  return `${canonAddress(withLength.slice(0, slash))}${withLength.slice(slash)}`;
}

/** host:port with IPv6 hosts in brackets. */
export function endpointText(host: string, port: string | undefined): string | undefined {
  if (!host || !port) return undefined;
  const a = parseAddress(host);
  return a?.family === 6
    ? `[${canonAddress(host)}]:${Number(port)}`
    : `${a ? canonAddress(host) : host}:${Number(port)}`;
}

const OSPF_TYPES = new Set(["ptp", "broadcast", "nbma", "ptmp"]);
const REDISTRIBUTE = new Set(["connected", "static", "bgp"]);

/** Builds the live state; see the module comment. */
export function liveStateFromExport(parsed: ParsedExport): RouterosLive {
  const unmanaged: UnmanagedItem[] = [];
  const owned = new Set<string>();
  const publicKeys: Record<string, string> = {};
  const inv: RouterosInventory = {
    interfaces: new Map(),
    peers: new Map(),
    addresses: new Map(),
    ospfInstances: new Map(),
    ospfAreas: new Map(),
    ospfTemplates: [],
    bgpConnections: new Map(),
    routes: new Map(),
    filterRules: [],
    // Kept for raw lines to be compared with, secrets redacted like everything else kept.
    items: parsed.items.map((i) => ({ ...i, properties: redacted(i.properties) })),
  };
  const interfaces = new Map<string, NetInterface>();
  const wireguard = new Map<string, WireguardInterface>();
  const routingIds = new Map<string, string>();

  const keep = (item: ExportItem) => unmanaged.push({ line: item.line, text: itemText(item) });
  /** Reports the properties of a mapped item the model has no field for. */
  const extra = (item: ExportItem, known: readonly string[]) => {
    const left = Object.keys(item.properties).filter((k) => !known.includes(k));
    const flags = item.flags.filter((f) => !known.includes(f));
    if (left.length > 0 || flags.length > 0)
      unmanaged.push({
        line: item.line,
        text: itemText(item),
        properties: [
          ...left.map((k) => `${k}=${isSecretProperty(k) ? REDACTED : item.properties[k]}`),
          ...flags,
        ],
      });
  };
  const ref = (item: ExportItem, find: string, marked: boolean): ItemRef => ({
    path: item.path,
    find,
    properties: redacted(item.properties),
    marked,
    disabled: yes(item.properties.disabled),
  });

  // Pass 1: names that others refer to (routing ids).
  for (const item of parsed.items)
    if (item.path === MENU.routingId && item.command === "add" && item.properties.name && item.properties.id)
      routingIds.set(item.properties.name, item.properties.id);
  const routerId = (v: string | undefined) => {
    if (v === undefined) return undefined;
    const id = routingIds.get(v) ?? v;
    return parseAddress(id)?.family === 4 ? id : undefined;
  };

  // Pass 2: interfaces.
  const areaNames = new Map<string, { instance: string; id: string }>();
  for (const item of parsed.items) {
    const p = item.properties;
    const { description, marked } = readComment(p.comment);
    if (item.path === MENU.bridge && item.command === "add" && p.name) {
      const i: NetInterface = { name: p.name, kind: "bridge" };
      const mtu = num(p.mtu);
      if (mtu) i.mtu = mtu;
      if (description) i.description = description;
      interfaces.set(p.name, i);
      inv.interfaces.set(p.name, { ...ref(item, nameFind(p.name), marked), kind: "bridge" });
      if (marked) owned.add(`interfaces[${p.name}]`);
      extra(item, ["name", "mtu", "comment", "disabled"]);
    } else if (item.path === MENU.vlan && item.command === "add" && p.name) {
      const id = num(p["vlan-id"]);
      if (!id || !p.interface) {
        keep(item);
        continue;
      }
      const i: NetInterface = { name: p.name, kind: "vlan", vlan: { parent: p.interface, id } };
      const mtu = num(p.mtu);
      if (mtu) i.mtu = mtu;
      if (description) i.description = description;
      interfaces.set(p.name, i);
      inv.interfaces.set(p.name, { ...ref(item, nameFind(p.name), marked), kind: "vlan" });
      if (marked) owned.add(`interfaces[${p.name}]`);
      extra(item, ["name", "mtu", "comment", "disabled", "vlan-id", "interface"]);
    } else if (item.path === MENU.ethernet && item.command === "set" && item.selector?.kind === "find") {
      const dflt = item.selector.where["default-name"];
      const name = p.name ?? dflt;
      if (!name) {
        keep(item);
        continue;
      }
      const i: NetInterface = { name, kind: "ethernet" };
      const mtu = num(p.mtu);
      if (mtu) i.mtu = mtu;
      if (description) i.description = description;
      interfaces.set(name, i);
      inv.interfaces.set(name, {
        ...ref(item, dflt ? findWhere([["default-name", dflt]]) : nameFind(name), false),
        kind: "ethernet",
      });
      extra(item, ["name", "mtu", "comment"]);
    } else if (item.path === MENU.wireguard && item.command === "add" && p.name) {
      const w: WireguardInterface = { name: p.name, peers: [] };
      const port = num(p["listen-port"]);
      if (port) w.listen_port = port;
      const mtu = num(p.mtu);
      if (mtu) w.mtu = mtu;
      if (description) w.description = description;
      const pk = p["private-key"] ? wireguardPublicKey(p["private-key"]) : undefined;
      if (pk) publicKeys[p.name] = pk;
      wireguard.set(p.name, w);
      inv.interfaces.set(p.name, { ...ref(item, nameFind(p.name), marked), kind: "wireguard" });
      if (marked) owned.add(`wireguard[${p.name}]`);
      extra(item, ["name", "listen-port", "mtu", "comment", "private-key", "disabled"]);
    }
  }

  const interfaceFor = (name: string): { addresses?: string[] } | undefined => {
    const w = wireguard.get(name);
    if (w) return w;
    let i = interfaces.get(name);
    if (!i) {
      i = { name, kind: name === "lo" ? "loopback" : "ethernet" };
      interfaces.set(name, i);
    }
    return i;
  };

  const ospfByName = new Map<string, OspfInstance>();
  const connections: {
    item: ExportItem;
    neighbor: BgpNeighbor;
    as?: number;
    routerId?: string;
    clusterId?: string;
  }[] = [];
  const templateDefaults: { as?: number; routerId?: string; clusterId?: string } = {};
  const routes: StaticRoute[] = [];
  const rules: FirewallRule[] = [];
  const forwarding: { ipv4?: boolean; ipv6?: boolean } = {};
  let ospfMarked = false;
  let bgpMarked = false;
  let routesMarked = false;
  let firewallMarked = false;

  // Pass 3: everything else, in export order.
  for (const item of parsed.items) {
    const p = item.properties;
    const { description, marked } = readComment(p.comment);
    switch (item.path) {
      case MENU.bridge:
      case MENU.vlan:
      case MENU.wireguard:
        if (!(item.command === "add" && p.name && inv.interfaces.has(p.name))) keep(item);
        break;
      case MENU.ethernet:
        if (!(item.command === "set" && item.selector?.kind === "find")) keep(item);
        break;
      case MENU.routingId:
        keep(item);
        break;
      case MENU.peers: {
        const w = p.interface ? wireguard.get(p.interface) : undefined;
        if (item.command !== "add" || !w || !p["public-key"]) {
          keep(item);
          break;
        }
        const peer: WireguardPeer = {
          public_key: p["public-key"],
          allowed_ips: (p["allowed-address"] ?? "").split(",").filter((s) => s !== ""),
        };
        if (description) peer.description = description;
        const ep = p["endpoint-address"]
          ? endpointText(p["endpoint-address"], p["endpoint-port"])
          : undefined;
        if (ep) peer.endpoint = ep;
        const ka = parseDuration(p["persistent-keepalive"]);
        if (ka) peer.persistent_keepalive = ka;
        if (p["preshared-key"]) peer.preshared_key_env = SECRET_SET;
        w.peers.push(peer);
        inv.peers.set(
          `${w.name}|${peer.public_key}`,
          ref(
            item,
            findWhere([
              ["interface", w.name],
              ["public-key", peer.public_key],
            ]),
            marked,
          ),
        );
        extra(item, [
          "interface",
          "public-key",
          "allowed-address",
          "comment",
          "endpoint-address",
          "endpoint-port",
          "persistent-keepalive",
          "preshared-key",
          "name",
          "disabled",
        ]);
        break;
      }
      case MENU.ip4Address:
      case MENU.ip6Address: {
        const family = item.path === MENU.ip4Address ? 4 : 6;
        const addr = p.address ? interfaceAddress(p.address, family) : undefined;
        if (item.command !== "add" || !addr || !p.interface) {
          keep(item);
          break;
        }
        const target = interfaceFor(p.interface);
        if (target) target.addresses = [...(target.addresses ?? []), addr];
        inv.addresses.set(
          `${p.interface}|${addr}`,
          ref(
            item,
            findWhere([
              ["address", p.address as string],
              ["interface", p.interface],
            ]),
            marked,
          ),
        );
        extra(item, ["address", "interface", "network", "comment", "disabled"]);
        break;
      }
      case MENU.ospfInstance: {
        if (item.command !== "add" || !p.name) {
          keep(item);
          break;
        }
        const version = num(p.version) ?? ROUTEROS_DEFAULTS.ospfVersion;
        const inst: OspfInstance = { name: p.name, version: version === 3 ? 3 : 2, areas: [] };
        const rid = routerId(p["router-id"]);
        if (rid) inst.router_id = rid;
        const redistribute = (p.redistribute ?? "").split(",").filter((s) => s !== "");
        const known = redistribute.filter((r) => REDISTRIBUTE.has(r)) as ("connected" | "static" | "bgp")[];
        if (known.length > 0) inst.redistribute = known;
        ospfByName.set(p.name, inst);
        inv.ospfInstances.set(p.name, ref(item, nameFind(p.name), marked));
        ospfMarked ||= marked;
        const extraKnown = ["name", "version", "comment", "disabled"];
        if (rid) extraKnown.push("router-id");
        if (known.length === redistribute.length) extraKnown.push("redistribute");
        extra(item, extraKnown);
        break;
      }
      case MENU.ospfArea: {
        const inst = p.instance ? ospfByName.get(p.instance) : undefined;
        if (item.command !== "add" || !p.name || !inst) {
          keep(item);
          break;
        }
        const id = p["area-id"] ?? ROUTEROS_DEFAULTS.ospfAreaId;
        const area: OspfArea = { id };
        if (p.type === "stub") area.stub = true;
        inst.areas.push(area);
        areaNames.set(p.name, { instance: inst.name, id });
        inv.ospfAreas.set(`${inst.name}|${id}`, {
          ...ref(item, nameFind(p.name), marked),
          name: p.name,
          instance: inst.name,
          id,
        });
        ospfMarked ||= marked;
        extra(item, [
          "name",
          "instance",
          "area-id",
          "comment",
          "disabled",
          ...(p.type === "stub" || p.type === "default" ? ["type"] : []),
        ]);
        break;
      }
      case MENU.ospfTemplate: {
        const where = p.area ? areaNames.get(p.area) : undefined;
        const names = (p.interfaces ?? "").split(",").filter((s) => s !== "");
        if (item.command !== "add" || !where || names.length === 0 || p.networks) {
          keep(item);
          break;
        }
        const area = ospfByName.get(where.instance)?.areas.find((a) => a.id === where.id);
        if (!area) {
          keep(item);
          break;
        }
        const known = ["area", "interfaces", "comment", "disabled", "passive", "cost"];
        const params: Omit<OspfInterface, "name"> = {};
        if (yes(p.passive) || item.flags.includes("passive")) params.passive = true;
        if (p.type !== undefined && OSPF_TYPES.has(p.type)) {
          params.type = p.type as OspfInterface["type"];
          known.push("type");
        }
        const cost = num(p.cost);
        if (cost) params.cost = cost;
        for (const [prop, field] of [
          ["hello-interval", "hello"],
          ["dead-interval", "dead"],
          ["retransmit-interval", "retransmit"],
        ] as const) {
          const s = parseDuration(p[prop]);
          if (s !== undefined && Number.isInteger(s)) {
            params[field] = s;
            known.push(prop);
          }
        }
        if (p.auth) {
          const type = p.auth === "simple" ? "simple" : p.auth === "none" ? "none" : "cryptographic";
          params.authentication = { type };
          if (type !== "none" && p["auth-key"]) params.authentication.password_env = SECRET_SET;
          const keyId = num(p["auth-id"]);
          if (keyId && type === "cryptographic") params.authentication.key_id = keyId;
          known.push("auth", "auth-key", "auth-id");
        }
        area.interfaces = [
          ...(area.interfaces ?? []),
          ...names.map((name) => ({ name, ...structuredClone(params) })),
        ];
        inv.ospfTemplates.push({
          ...ref(
            item,
            findWhere([
              ["area", p.area as string],
              ["interfaces", p.interfaces as string],
            ]),
            marked,
          ),
          area: p.area as string,
          interfaces: names,
        });
        ospfMarked ||= marked;
        extra(item, known);
        break;
      }
      case MENU.bgpTemplate: {
        const isDefault =
          (item.command === "set" && item.selector?.kind === "name" && item.selector.name === "default") ||
          (item.command === "add" && p.name === "default");
        if (isDefault) {
          const as = num(p.as);
          if (as) templateDefaults.as = as;
          const rid = routerId(p["router-id"]);
          if (rid) templateDefaults.routerId = rid;
          if (p["cluster-id"]) templateDefaults.clusterId = p["cluster-id"];
        }
        keep(item);
        break;
      }
      case MENU.bgpConnection: {
        const address = p["remote.address"]?.replace(/\/(32|128)$/, "");
        const remoteAs = num(p["remote.as"]);
        if (item.command !== "add" || !p.name || !address || !parseAddress(address) || !remoteAs) {
          keep(item);
          break;
        }
        const n: BgpNeighbor = { address: canonAddress(address), remote_asn: remoteAs };
        if (description) n.description = description;
        if (p["local.address"]) n.update_source = canonAddress(p["local.address"]);
        if (yes(p["route-reflect"])) n.route_reflector_client = true;
        if (p["nexthop-choice"] === "force-self") n.next_hop_self = true;
        if (p["tcp-md5-key"]) n.password_env = SECRET_SET;
        if (p["address-families"]) {
          const afs = p["address-families"].split(",").map((a) => (a === "ip" ? "ipv4" : a));
          if (afs.every((a) => a === "ipv4" || a === "ipv6")) n.address_families = afs as ("ipv4" | "ipv6")[];
        }
        const c: (typeof connections)[number] = { item, neighbor: n };
        const as = num(p.as);
        if (as) c.as = as;
        const rid = routerId(p["router-id"]);
        if (rid) c.routerId = rid;
        if (p["cluster-id"]) c.clusterId = p["cluster-id"];
        connections.push(c);
        inv.bgpConnections.set(n.address, {
          ...ref(item, nameFind(p.name), marked),
          name: p.name,
          ...(c.as !== undefined ? { asn: c.as } : {}),
          ...(c.routerId !== undefined ? { routerId: c.routerId } : {}),
          ...(c.clusterId !== undefined ? { clusterId: c.clusterId } : {}),
        });
        bgpMarked ||= marked;
        extra(item, [
          "name",
          "remote.address",
          "remote.as",
          "comment",
          "local.address",
          "local.role",
          "route-reflect",
          "nexthop-choice",
          "tcp-md5-key",
          "address-families",
          "as",
          "router-id",
          "cluster-id",
          "templates",
          "disabled",
        ]);
        break;
      }
      case MENU.ip4Route:
      case MENU.ip6Route: {
        const family = item.path === MENU.ip4Route ? 4 : 6;
        const dst = p["dst-address"];
        const prefix = dst ? parsePrefix(dst) : undefined;
        const table = p["routing-table"];
        if (
          item.command !== "add" ||
          !dst ||
          !prefix ||
          prefix.family !== family ||
          (table && table !== "main")
        ) {
          keep(item);
          break;
        }
        const r: StaticRoute = { prefix: interfaceAddress(dst, family) ?? dst };
        const blackhole = item.flags.includes("blackhole") || p.blackhole === "yes" || p.type === "blackhole";
        if (blackhole) r.blackhole = true;
        else if (p.gateway) {
          const [gw, via] = p.gateway.split("%");
          if (gw && parseAddress(gw)) {
            r.via = canonAddress(gw);
            if (via) r.interface = via;
          } else if (gw) r.interface = gw;
        }
        const distance = num(p.distance);
        if (distance) r.distance = distance;
        if (description) r.description = description;
        routes.push(r);
        inv.routes.set(r.prefix, {
          ...ref(
            item,
            findWhere([
              ["dst-address", dst],
              ["routing-table", "main"],
              ["!dynamic", ""],
            ]),
            marked,
          ),
          family,
        });
        routesMarked ||= marked;
        extra(item, [
          "dst-address",
          "gateway",
          "distance",
          "comment",
          "routing-table",
          "blackhole",
          "type",
          "disabled",
        ]);
        break;
      }
      case MENU.ip4Filter:
      case MENU.ip6Filter: {
        const family = item.path === MENU.ip4Filter ? 4 : 6;
        const rule = item.command === "add" ? filterRule(item, family) : undefined;
        if (!rule) {
          keep(item);
          break;
        }
        rules.push(rule);
        inv.filterRules.push({
          // Every property is in the selector: it finds this rule and no other the model cannot see.
          ...ref(item, findWhere(Object.entries(p)), marked),
          family,
          rule,
        });
        firewallMarked ||= marked;
        break;
      }
      case MENU.ip4Settings:
        if (item.command === "set" && p["ip-forward"] === "no") forwarding.ipv4 = false;
        keep(item);
        break;
      case MENU.ip6Settings:
        if (item.command === "set" && p.forward === "no") forwarding.ipv6 = false;
        keep(item);
        break;
      default:
        keep(item);
    }
  }

  const state: DeviceIntent = {};
  if (interfaces.size > 0) state.interfaces = [...interfaces.values()];
  if (wireguard.size > 0) state.wireguard = [...wireguard.values()];
  if (ospfByName.size > 0) {
    const instances = [...ospfByName.values()];
    state.ospf = { router_id: instances.find((i) => i.router_id)?.router_id ?? "0.0.0.0", instances };
  }
  if (connections.length > 0) {
    const first = connections[0];
    const bgp: Bgp = {
      asn: first?.as ?? templateDefaults.as ?? first?.neighbor.remote_asn ?? 0,
      neighbors: connections.map((c) => c.neighbor),
    };
    const rid = first?.routerId ?? templateDefaults.routerId;
    if (rid) bgp.router_id = rid;
    const cluster = first?.clusterId ?? templateDefaults.clusterId;
    if (cluster) bgp.cluster_id = cluster;
    state.bgp = bgp;
  }
  if (routes.length > 0) state.static_routes = routes;
  if (rules.length > 0) state.firewall = { rules: mergeTcpUdp(rules) } satisfies Firewall;
  if (forwarding.ipv4 === false || forwarding.ipv6 === false) state.forwarding = forwarding;
  if (ospfMarked) owned.add("ospf");
  if (bgpMarked) owned.add("bgp");
  if (routesMarked) owned.add("static_routes");
  if (firewallMarked) owned.add("firewall");

  return {
    state,
    unmanaged,
    owned: [...owned].sort(),
    publicKeys,
    inventory: inv,
    header: parsed.header,
    canonical: parsed.items.map(itemText).join("\n") + (parsed.items.length > 0 ? "\n" : ""),
  };
}

const FILTER_KNOWN = new Set([
  "chain",
  "action",
  "protocol",
  "src-address",
  "dst-address",
  "src-address-list",
  "dst-address-list",
  "dst-port",
  "in-interface",
  "out-interface",
  "log",
  "disabled",
  "comment",
]);
const ACTIONS: Record<string, FirewallRule["action"]> = { accept: "pass", drop: "block", reject: "reject" };

/** A filter rule the model can express exactly (chain forward, the properties above), or undefined. */
function filterRule(item: ExportItem, family: 4 | 6): FirewallRule | undefined {
  const p = item.properties;
  if (p.chain !== "forward" || item.flags.length > 0) return undefined;
  if (Object.keys(p).some((k) => !FILTER_KNOWN.has(k))) return undefined;
  const action = p.action === undefined ? "pass" : ACTIONS[p.action];
  const { description } = readComment(p.comment);
  if (!action || !description) return undefined;
  if (p["in-interface"] && p["out-interface"]) return undefined;
  if (p["src-address"] && p["src-address-list"]) return undefined;
  if (p["dst-address"] && p["dst-address-list"]) return undefined;
  const protocol = p.protocol ?? "any";
  if (!["any", "tcp", "udp", "icmp", "icmpv6"].includes(protocol)) return undefined;
  const rule: FirewallRule = {
    description,
    action,
    ip_version: family === 4 ? "ipv4" : "ipv6",
    protocol: protocol as FirewallRule["protocol"],
  };
  if (p["in-interface"]) {
    rule.interface = p["in-interface"];
    rule.direction = "in";
  } else if (p["out-interface"]) {
    rule.interface = p["out-interface"];
    rule.direction = "out";
  }
  const src = p["src-address"] ?? p["src-address-list"];
  if (src) rule.source = src;
  const dst = p["dst-address"] ?? p["dst-address-list"];
  if (dst) rule.destination = dst;
  if (p["dst-port"])
    rule.destination_port = /^\d{1,5}$/.test(p["dst-port"]) ? Number(p["dst-port"]) : p["dst-port"];
  if (yes(p.log)) rule.log = true;
  if (yes(p.disabled)) rule.enabled = false;
  return rule;
}

/** Two adjacent rules that differ only in tcp then udp are the model's one tcp/udp rule. */
function mergeTcpUdp(rules: FirewallRule[]): FirewallRule[] {
  const out: FirewallRule[] = [];
  for (let i = 0; i < rules.length; i++) {
    const a = rules[i] as FirewallRule;
    const b = rules[i + 1];
    if (
      b &&
      a.protocol === "tcp" &&
      b.protocol === "udp" &&
      JSON.stringify({ ...a, protocol: "" }) === JSON.stringify({ ...b, protocol: "" })
    ) {
      out.push({ ...a, protocol: "tcp/udp" });
      i++;
    } else out.push(a);
  }
  return out;
}
