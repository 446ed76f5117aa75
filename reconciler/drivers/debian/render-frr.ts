// /etc/frr/frr.conf for FRR 8.4 (integrated config): static routes, interface blocks with the
// OSPF parameters, router bgp, router ospf / ospf6, and the raw snippet last. Lines are written in
// the order and spelling `show running-config` uses, so that frr-reload.py finds nothing to change
// on a device that already runs this file.
//
// Differences from bird, by FRR's design: one OSPFv2 (ospfd) and one OSPFv3 (ospf6d, IPv6 only)
// instance; no OSPF wait timer; passive interfaces are `ip ospf passive` in the interface (the
// old `passive-interface IF` under router ospf is hidden and rewritten by FRR 8.4); no stub
// networks (refused: use a passive interface). Secrets are placeholders substituted at apply
// time (secrets.ts).

import {
  byKey,
  canonAddress,
  canonNetwork,
  compareIp,
  compareText,
  familyOf,
  ipSet,
} from "../../model/canonical.ts";
import type {
  BgpNeighbor,
  DeviceIntent,
  OspfInstance,
  OspfInterface,
  StaticRoute,
} from "../../schema/device.ts";
import { ifname, lineText, snippet, UnsupportedError, word } from "./guard.ts";
import { MANAGED_MARK } from "./paths.ts";
import { frrSecretPlaceholder, type SecretMark } from "./secrets.ts";

export const FRR_RAW_BEGIN = "! --- raw frr from the desired state: begin ---";
export const FRR_RAW_END = "! --- raw frr from the desired state: end ---";

export const FRR_V2_TYPE: Record<NonNullable<OspfInterface["type"]>, string> = {
  ptp: "point-to-point",
  broadcast: "broadcast",
  nbma: "non-broadcast",
  ptmp: "point-to-multipoint",
};

type Lines = string[];
const id = (value: string, what: string) => word(canonAddress(value), what);

function v2InterfaceLines(i: OspfInterface, area: string, mark: SecretMark): Lines {
  const out: Lines = [];
  if (i.type) out.push(`ip ospf network ${FRR_V2_TYPE[i.type]}`);
  const auth = i.authentication;
  if (auth?.type === "cryptographic") {
    out.push("ip ospf authentication message-digest");
    if (auth.password_env) {
      out.push(
        `ip ospf message-digest-key ${word(auth.key_id ?? 1, "a key id")} md5 ${mark(auth.password_env)}`,
      );
    }
  } else if (auth?.type === "simple") {
    out.push("ip ospf authentication");
    if (auth.password_env) out.push(`ip ospf authentication-key ${mark(auth.password_env)}`);
  }
  if (i.cost !== undefined) out.push(`ip ospf cost ${word(i.cost, "an OSPF cost")}`);
  if (i.hello !== undefined) out.push(`ip ospf hello-interval ${word(i.hello, "a hello interval")}`);
  if (i.dead !== undefined) out.push(`ip ospf dead-interval ${word(i.dead, "a dead interval")}`);
  if (i.retransmit !== undefined) {
    out.push(`ip ospf retransmit-interval ${word(i.retransmit, "a retransmit interval")}`);
  }
  out.push(`ip ospf area ${id(area, "an area id")}`);
  if (i.passive) out.push("ip ospf passive");
  return out;
}

function v3InterfaceLines(i: OspfInterface, area: string, mark: SecretMark): Lines {
  const out: Lines = [`ipv6 ospf6 area ${id(area, "an area id")}`];
  if (i.cost !== undefined) out.push(`ipv6 ospf6 cost ${word(i.cost, "an OSPF cost")}`);
  if (i.hello !== undefined) out.push(`ipv6 ospf6 hello-interval ${word(i.hello, "a hello interval")}`);
  if (i.dead !== undefined) out.push(`ipv6 ospf6 dead-interval ${word(i.dead, "a dead interval")}`);
  if (i.retransmit !== undefined) {
    out.push(`ipv6 ospf6 retransmit-interval ${word(i.retransmit, "a retransmit interval")}`);
  }
  if (i.passive) out.push("ipv6 ospf6 passive");
  if (i.type === "ptp") out.push("ipv6 ospf6 network point-to-point");
  else if (i.type === "broadcast") out.push("ipv6 ospf6 network broadcast");
  else if (i.type)
    throw new UnsupportedError(`FRR's ospf6d has no ${i.type} network type (interface ${i.name})`);
  const auth = i.authentication;
  if (auth?.type === "cryptographic" && auth.password_env) {
    out.push(
      `ipv6 ospf6 authentication key-id ${word(auth.key_id ?? 1, "a key id")} hash-algo hmac-sha-256 key ${mark(auth.password_env)}`,
    );
  } else if (auth?.type === "simple") {
    throw new UnsupportedError(`OSPFv3 has no simple authentication (interface ${i.name})`);
  }
  return out;
}

function oneInstance(instances: readonly OspfInstance[], version: 2 | 3): OspfInstance | undefined {
  const mine = instances.filter((i) => i.version === version);
  if (mine.length > 1) {
    throw new UnsupportedError(
      `FRR runs one OSPFv${version} instance; the desired state has ${mine.length} (${mine.map((i) => i.name).join(", ")})`,
    );
  }
  const inst = mine[0];
  if (inst && version === 3 && inst.address_family === "ipv4") {
    throw new UnsupportedError(`FRR's ospf6d carries IPv6 only; instance ${inst.name} asks for ipv4`);
  }
  return inst;
}

function renderInterfaces(
  v2: OspfInstance | undefined,
  v3: OspfInstance | undefined,
  mark: SecretMark,
): Lines[] {
  const lines = new Map<string, Lines>();
  const add = (name: string, more: Lines) => lines.set(name, [...(lines.get(name) ?? []), ...more]);
  for (const [inst, render] of [
    [v2, v2InterfaceLines],
    [v3, v3InterfaceLines],
  ] as const) {
    for (const area of inst?.areas ?? []) {
      for (const i of area.interfaces ?? []) add(ifname(i.name), render(i, area.id, mark));
    }
  }
  return [...lines.keys()].sort(compareText).map((name) => {
    // vtysh prints the lines of an interface block sorted; so does render.
    const body = [...(lines.get(name) ?? [])].sort(compareText);
    return [`interface ${name}`, ...body.map((l) => ` ${l}`), "exit"];
  });
}

function renderRouterOspf(inst: OspfInstance, routerId: string, version: 2 | 3): Lines {
  const v2 = version === 2;
  const out: Lines = [v2 ? "router ospf" : "router ospf6"];
  out.push(` ${v2 ? "ospf" : "ospf6"} router-id ${id(inst.router_id ?? routerId, "a router id")}`);
  for (const r of [...new Set(inst.redistribute ?? [])].sort(compareText)) out.push(` redistribute ${r}`);
  const areas = [...inst.areas].sort(byKey((a) => canonAddress(a.id), compareIp));
  for (const a of areas) {
    // ospfd's `network P area A` is refused once any interface has `ip ospf area`, and it enables
    // OSPF on interfaces rather than advertising a prefix; ospf6d has nothing at all.
    const net = a.stub_networks?.[0];
    if (net !== undefined) {
      throw new UnsupportedError(
        `FRR cannot advertise stub network ${net} (instance ${inst.name}, area ${a.id}): make the interface that carries it a passive OSPF interface`,
      );
    }
  }
  for (const a of areas) if (a.stub) out.push(` area ${id(a.id, "an area id")} stub`);
  out.push("exit");
  return out;
}

/** The address families a neighbour is active in: as listed, else its own address's family. */
export function neighborFamilies(n: BgpNeighbor): ("ipv4" | "ipv6")[] {
  return [...new Set(n.address_families ?? [familyOf(n.address)])].sort(compareText);
}

function renderBgp(intent: DeviceIntent, mark: SecretMark): Lines {
  const bgp = intent.bgp;
  if (!bgp) return [];
  const out: Lines = [`router bgp ${word(bgp.asn, "an AS number")}`];
  if (bgp.router_id) out.push(` bgp router-id ${id(bgp.router_id, "a router id")}`);
  if (bgp.cluster_id) out.push(` bgp cluster-id ${id(bgp.cluster_id, "a cluster id")}`);
  const neighbors = [...bgp.neighbors].sort(byKey((n) => canonAddress(n.address), compareIp));
  for (const n of neighbors) {
    const a = id(n.address, "a neighbour address");
    out.push(` neighbor ${a} remote-as ${word(n.remote_asn, "an AS number")}`);
    if (n.description) out.push(` neighbor ${a} description ${lineText(n.description, "a description")}`);
    if (n.password_env) out.push(` neighbor ${a} password ${mark(n.password_env)}`);
    if (n.update_source) out.push(` neighbor ${a} update-source ${id(n.update_source, "an update source")}`);
  }
  const announce = ipSet(bgp.announce ?? [], canonNetwork);
  for (const family of ["ipv4", "ipv6"] as const) {
    const af: Lines = [];
    for (const p of announce.filter((p) => familyOf(p) === family))
      af.push(`  network ${word(p, "a prefix")}`);
    for (const n of neighbors) {
      const a = id(n.address, "a neighbour address");
      const active = neighborFamilies(n).includes(family);
      // "traditional" activates every neighbour in IPv4 unicast and none in IPv6 unicast.
      if (family === "ipv4" && !active) af.push(`  no neighbor ${a} activate`);
      if (family === "ipv6" && active) af.push(`  neighbor ${a} activate`);
      if (!active) continue;
      if (n.route_reflector_client) af.push(`  neighbor ${a} route-reflector-client`);
      if (n.next_hop_self) af.push(`  neighbor ${a} next-hop-self`);
    }
    if (af.length > 0) out.push(" !", ` address-family ${family} unicast`, ...af, " exit-address-family");
  }
  out.push("exit");
  return out;
}

function renderStaticRoute(r: StaticRoute): string {
  const cmd = familyOf(r.prefix) === "ipv4" ? "ip route" : "ipv6 route";
  const parts = [cmd, word(canonNetwork(r.prefix), "a route prefix")];
  if (r.blackhole) parts.push("blackhole");
  else {
    if (r.via) parts.push(id(r.via, "a next hop"));
    if (r.interface) parts.push(ifname(r.interface));
  }
  if (r.distance !== undefined) parts.push(word(r.distance, "a distance"));
  return parts.join(" ");
}

/**
 * `mark` writes where a secret goes: the readable placeholder for plans (the default), or the
 * apply step's per-run token, which is the only thing it substitutes (see apply/candidate.ts).
 */
export function renderFrrConf(
  intent: DeviceIntent,
  device: string,
  mark: SecretMark = frrSecretPlaceholder,
): string {
  const sections: Lines[] = [
    [
      `! ${MANAGED_MARK} for ${lineText(device, "a device name")}: generated from the desired state in git.`,
      "! Local changes are reported as drift and overwritten by the next apply.",
      "frr defaults traditional",
      `hostname ${word(device, "a host name")}`,
    ],
  ];
  const routes = [...(intent.static_routes ?? [])].sort(
    (a, b) =>
      compareIp(canonNetwork(a.prefix), canonNetwork(b.prefix)) ||
      compareText(renderStaticRoute(a), renderStaticRoute(b)),
  );
  if (routes.length > 0) sections.push(routes.map(renderStaticRoute));
  const instances = intent.ospf?.instances ?? [];
  const v2 = oneInstance(instances, 2);
  const v3 = oneInstance(instances, 3);
  sections.push(...renderInterfaces(v2, v3, mark));
  const bgp = renderBgp(intent, mark);
  if (bgp.length > 0) sections.push(bgp);
  const routerId = intent.ospf?.router_id ?? "";
  if (v2) sections.push(renderRouterOspf(v2, routerId, 2));
  if (v3) sections.push(renderRouterOspf(v3, routerId, 3));
  const raw = intent.raw?.frr;
  if (raw !== undefined && raw.trim() !== "") {
    const text = snippet(raw, "the raw frr snippet", [FRR_RAW_BEGIN, FRR_RAW_END]).replace(/\n+$/, "");
    sections.push([FRR_RAW_BEGIN, text, FRR_RAW_END]);
  }
  return `${sections.map((s) => s.join("\n")).join("\n!\n")}\n`;
}
