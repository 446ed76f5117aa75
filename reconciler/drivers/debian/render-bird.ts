// /etc/bird/bird.conf for bird 2: router id, the device and kernel protocols, static routes, one
// OSPF protocol per instance, one BGP protocol per neighbour, and the raw snippet last.
//
// Authentication secrets are not in this file: an `include` names a root-only file under
// /etc/bird/secrets/ that the apply step writes from the environment (see secrets.ts).

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
  Bgp,
  BgpNeighbor,
  DeviceIntent,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
} from "../../schema/device.ts";
import { birdString, ifname, lineText, snippet, word } from "./guard.ts";
import { MANAGED_MARK } from "./paths.ts";
import { birdBgpSecretPath, birdOspfSecretPath } from "./secrets.ts";

export const BIRD_RAW_BEGIN = "# --- raw bird from the desired state: begin ---";
export const BIRD_RAW_END = "# --- raw bird from the desired state: end ---";

/** Route sources the kernel protocols install, so OSPF, static and BGP routes show as proto bird. */
export const BIRD_KERNEL_SOURCES = [
  "RTS_STATIC",
  "RTS_OSPF",
  "RTS_OSPF_IA",
  "RTS_OSPF_EXT1",
  "RTS_OSPF_EXT2",
  "RTS_BGP",
] as const;

/** What `redistribute` means in bird: an OSPF export filter on the route's source. */
export const BIRD_REDISTRIBUTE_SOURCE = {
  bgp: "RTS_BGP",
  connected: "RTS_DEVICE",
  static: "RTS_STATIC",
} as const;

const BIRD_TYPE: Record<NonNullable<OspfInterface["type"]>, string> = {
  ptp: "ptp",
  broadcast: "broadcast",
  nbma: "nbma",
  ptmp: "ptmp",
};

type Lines = string[];
const indent = (lines: Lines, n = 1): Lines => lines.map((l) => (l === "" ? l : `${"\t".repeat(n)}${l}`));
const block = (head: string, body: Lines, semicolon = false): Lines => [
  `${head} {`,
  ...indent(body),
  semicolon ? "};" : "}",
];

export function birdKernelProtocol(family: "ipv4" | "ipv6"): Lines {
  return block(`protocol kernel kernel${family === "ipv4" ? 4 : 6}`, [
    ...block(family, ["import none;", `export where source ~ [ ${BIRD_KERNEL_SOURCES.join(", ")} ];`], true),
  ]);
}

export const BIRD_DEVICE_PROTOCOL: Lines = ["protocol device {", "}"];
export const BIRD_DIRECT_PROTOCOL: Lines = block("protocol direct direct1", ["ipv4;", "ipv6;"]);

function renderOspfInterface(i: OspfInterface): Lines {
  const body: Lines = [];
  if (i.type) body.push(`type ${BIRD_TYPE[i.type]};`);
  if (i.cost !== undefined) body.push(`cost ${word(i.cost, "an OSPF cost")};`);
  if (i.hello !== undefined) body.push(`hello ${word(i.hello, "a hello interval")};`);
  if (i.retransmit !== undefined) body.push(`retransmit ${word(i.retransmit, "a retransmit interval")};`);
  if (i.wait !== undefined) body.push(`wait ${word(i.wait, "a wait interval")};`);
  if (i.dead !== undefined) body.push(`dead ${word(i.dead, "a dead interval")};`);
  if (i.passive) body.push("stub yes;");
  const auth = i.authentication;
  if (auth && auth.type !== "none") {
    body.push(`authentication ${auth.type};`);
    if (auth.password_env) {
      const keyId = auth.type === "cryptographic" ? (auth.key_id ?? 1) : undefined;
      body.push(`include "${birdOspfSecretPath(auth.password_env, keyId)}";`);
    }
  }
  const head = `interface ${birdString(ifname(i.name), "an interface name")}`;
  return body.length === 0 ? [`${head};`] : block(head, body, true);
}

function renderArea(a: OspfArea): Lines {
  const body: Lines = [];
  if (a.stub) body.push("stub yes;");
  for (const net of ipSet(a.stub_networks ?? [], canonNetwork))
    body.push(`stubnet ${word(net, "a stub network")};`);
  const ifaces = [...(a.interfaces ?? [])].sort(byKey((i) => i.name));
  for (const i of ifaces) body.push(...renderOspfInterface(i));
  return block(`area ${word(canonAddress(a.id), "an area id")}`, body, true);
}

/** The OSPF channel's export filter: none, or the route sources named in redistribute. */
export function birdOspfExport(redistribute: readonly string[]): string {
  const sources = [...new Set(redistribute)]
    .sort(compareText)
    .map((r) => BIRD_REDISTRIBUTE_SOURCE[r as keyof typeof BIRD_REDISTRIBUTE_SOURCE]);
  return sources.length === 0 ? "export none;" : `export where source ~ [ ${sources.join(", ")} ];`;
}

function renderOspfInstance(inst: OspfInstance, globalRouterId: string | undefined): Lines {
  const family = inst.address_family ?? (inst.version === 2 ? "ipv4" : "ipv6");
  const body: Lines = [];
  if (inst.router_id !== undefined && canonAddress(inst.router_id) !== globalRouterId) {
    body.push(`router id ${word(canonAddress(inst.router_id), "a router id")};`);
  }
  body.push(...block(family, ["import all;", birdOspfExport(inst.redistribute ?? [])], true));
  for (const a of [...inst.areas].sort(byKey((a) => canonAddress(a.id), compareIp)))
    body.push(...renderArea(a));
  return block(`protocol ospf v${inst.version} ${word(inst.name, "an OSPF instance name")}`, body);
}

/** A protocol name from the neighbour address: 192.0.2.1 -> bgp_192_0_2_1. */
export function birdBgpProtocolName(address: string): string {
  return `bgp_${canonAddress(address).replace(/[.:]/g, "_")}`;
}

/**
 * What a BGP session exports: the announced prefixes of the channel's family (as FRR's network
 * statements: only while the route is in the table), and to iBGP neighbours also the BGP routes
 * (bird's iBGP rules reflect them only to route reflector clients). eBGP neighbours never get
 * other BGP routes: no accidental transit.
 */
export function birdBgpExport(ibgp: boolean, announce: readonly string[]): string {
  const nets = announce.length > 0 ? `net ~ [ ${announce.join(", ")} ]` : undefined;
  if (ibgp) return nets ? `export where source = RTS_BGP || ${nets};` : "export where source = RTS_BGP;";
  return nets ? `export where ${nets};` : "export none;";
}

function renderBgpNeighbor(bgp: Bgp, n: BgpNeighbor, globalRouterId: string | undefined): Lines {
  const address = word(canonAddress(n.address), "a neighbour address");
  const ibgp = n.remote_asn === bgp.asn;
  const body: Lines = [];
  if (n.description) body.push(`description ${birdString(n.description, "a neighbour description")};`);
  const source = n.update_source ? `${word(canonAddress(n.update_source), "an update source")} ` : "";
  body.push(`local ${source}as ${word(bgp.asn, "an AS number")};`);
  body.push(`neighbor ${address} as ${word(n.remote_asn, "an AS number")};`);
  if (bgp.router_id !== undefined && canonAddress(bgp.router_id) !== globalRouterId) {
    body.push(`router id ${word(canonAddress(bgp.router_id), "a router id")};`);
  }
  if (n.route_reflector_client) body.push("rr client;");
  if (ibgp && bgp.cluster_id)
    body.push(`rr cluster id ${word(canonAddress(bgp.cluster_id), "a cluster id")};`);
  if (n.password_env) body.push(`include "${birdBgpSecretPath(n.password_env)}";`);
  const families = [...new Set(n.address_families ?? [familyOf(address)])].sort(compareText);
  const announce = ipSet(bgp.announce ?? [], canonNetwork).map((p) => word(p, "an announced prefix"));
  for (const family of families) {
    const channel = [
      "import all;",
      birdBgpExport(
        ibgp,
        announce.filter((p) => familyOf(p) === family),
      ),
    ];
    if (n.next_hop_self) channel.push("next hop self;");
    body.push(...block(family, channel, true));
  }
  return block(`protocol bgp ${birdBgpProtocolName(address)}`, body);
}

/**
 * An administrative distance (lower wins) as a bird preference (higher wins): 256 - distance, so
 * the order among routes is kept. bird's static default, 200, is distance 56.
 */
export function distanceToPreference(distance: number): number {
  return 256 - distance;
}

function renderStaticRoute(r: StaticRoute): string {
  const prefix = word(canonNetwork(r.prefix), "a route prefix");
  let target: string;
  if (r.blackhole) target = "blackhole";
  else if (r.via && r.interface) {
    target = `via ${word(canonAddress(r.via), "a next hop")}%'${ifname(r.interface)}'`;
  } else if (r.via) target = `via ${word(canonAddress(r.via), "a next hop")}`;
  else target = `via ${birdString(ifname(r.interface ?? ""), "an interface name")}`;
  const options =
    r.distance !== undefined
      ? ` { preference = ${word(distanceToPreference(r.distance), "a distance")}; }`
      : "";
  return `route ${prefix} ${target}${options};`;
}

function renderStatic(routes: readonly StaticRoute[], family: "ipv4" | "ipv6"): Lines {
  const mine = routes
    .filter((r) => familyOf(r.prefix) === family)
    .sort((a, b) => compareIp(canonNetwork(a.prefix), canonNetwork(b.prefix)));
  if (mine.length === 0) return [];
  return block(`protocol static static${family === "ipv4" ? 4 : 6}`, [
    `${family};`,
    ...mine.map(renderStaticRoute),
  ]);
}

export function renderBirdConf(intent: DeviceIntent, device: string): string {
  const routerId = intent.ospf?.router_id ?? intent.bgp?.router_id;
  const globalId = routerId === undefined ? undefined : canonAddress(routerId);
  const sections: Lines[] = [];
  const head: Lines = [
    `# ${MANAGED_MARK} for ${lineText(device, "a device name")}: generated from the desired state in git.`,
    "# Local changes are reported as drift and overwritten by the next apply.",
    "",
    "log syslog all;",
  ];
  if (globalId) head.push(`router id ${word(globalId, "a router id")};`);
  sections.push(head);
  sections.push(["# Tells bird about the interfaces; makes no routes.", ...BIRD_DEVICE_PROTOCOL]);
  const instances = [...(intent.ospf?.instances ?? [])].sort(byKey((i) => i.name));
  if (instances.some((i) => i.redistribute?.includes("connected"))) {
    sections.push(["# Connected networks, for OSPF's redistribute connected.", ...BIRD_DIRECT_PROTOCOL]);
  }
  sections.push([
    "# Installs the routes bird selects into the kernel, where they show as proto bird.",
    ...birdKernelProtocol("ipv4"),
  ]);
  sections.push(birdKernelProtocol("ipv6"));
  for (const family of ["ipv4", "ipv6"] as const) {
    const s = renderStatic(intent.static_routes ?? [], family);
    if (s.length > 0) sections.push(s);
  }
  for (const inst of instances) sections.push(renderOspfInstance(inst, globalId));
  const bgp = intent.bgp;
  if (bgp) {
    for (const n of [...bgp.neighbors].sort(byKey((n) => canonAddress(n.address), compareIp))) {
      sections.push(renderBgpNeighbor(bgp, n, globalId));
    }
  }
  const raw = intent.raw?.bird;
  if (raw !== undefined && raw.trim() !== "") {
    const text = snippet(raw, "the raw bird snippet", [BIRD_RAW_BEGIN, BIRD_RAW_END]).replace(/\n+$/, "");
    sections.push([BIRD_RAW_BEGIN, text, BIRD_RAW_END]);
  }
  return `${sections.map((s) => s.join("\n")).join("\n\n")}\n`;
}
