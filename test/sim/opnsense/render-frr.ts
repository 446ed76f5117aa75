// What `configctl template reload OPNsense/Quagga` writes to /usr/local/etc/frr/frr.conf
// (templates/OPNsense/Quagga/Config/+TARGETS): frr.conf includes zebra.conf, ospfd.conf and
// bgpd.conf (opnsense/plugins net/frr/src/opnsense/service/templates/OPNsense/Quagga/Config/).
// Rendered here: the general part (profile, syslog, forwarding), OSPF (passive interfaces,
// per-interface settings, router-id, reference bandwidth, redistribution, areas, neighbours,
// networks as ipaddr/netmask area, default-information) and BGP (AS, router-id, the fixed
// `no bgp default ipv4-unicast` / `no bgp ebgp-requires-policy`, neighbours with remote AS,
// description, update-source, timers, and per address family: networks, activate,
// next-hop-self, route-reflector-client, soft-reconfiguration, default-originate).
// Not rendered: RIP, OSPFv3, BFD, static routes, prefix lists, route maps, peer groups.
import { items, physicalInterface } from "./model.ts";
import { at, text, type XmlElement } from "./xml.ts";

export const FRR_CONF = "/usr/local/etc/frr/frr.conf";

const on = (e: XmlElement | undefined, name: string) => text(e, name) === "1";
const csv = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

function general(root: XmlElement): string[] {
  const g = at(root, "OPNsense/quagga/general");
  if (!g) return [];
  const out = [`frr defaults ${text(g, "profile") || "traditional"}`];
  if ((text(g, "enablesyslog") || "1") === "1")
    out.push(`log syslog ${text(g, "sysloglevel") || "notifications"}`);
  if (on(g, "enablesnmp")) out.push("agentx");
  out.push("ip forwarding", "ipv6 forwarding");
  return out;
}

function ospf(root: XmlElement): string[] {
  const o = at(root, "OPNsense/quagga/ospf");
  if (!on(o, "enabled")) return [];
  const out: string[] = [];
  for (const iface of csv(text(o, "passiveinterfaces"))) {
    out.push(`interface ${physicalInterface(root, iface)}`, "  ip ospf passive");
  }
  for (const { e } of items(root, "OPNsense/quagga/ospf/interfaces", "interface")) {
    if ((text(e, "enabled") || "1") !== "1") continue;
    out.push(`interface ${physicalInterface(root, text(e, "interfacename"))}`);
    if (on(e, "bfd")) out.push("  ip ospf bfd");
    const nt = text(e, "networktype");
    if (nt) {
      const p2mp = text(e, "p2mpoptions");
      out.push(`  ip ospf network ${nt === "point-to-multipoint" && p2mp ? `${nt} ${p2mp}` : nt}`);
    }
    const auth = text(e, "authtype");
    if (auth === "message-digest") {
      out.push("  ip ospf authentication message-digest");
      if (text(e, "authkey"))
        out.push(`  ip ospf message-digest-key ${text(e, "authkey_id") || "1"} md5 ${text(e, "authkey")}`);
    } else if (auth === "plain") {
      out.push("  ip ospf authentication  ");
      if (text(e, "authkey")) out.push(`  ip ospf authentication-key ${text(e, "authkey")}`);
    }
    const opts: [string, string][] = [
      ["area", "area"],
      ["cost", "cost"],
      ["dead-interval", "deadinterval"],
      ["hello-interval", "hellointerval"],
      ["priority", "priority"],
      ["retransmit-interval", "retransmitinterval"],
    ];
    for (const [directive, field] of opts) {
      if (text(e, field)) out.push(`  ip ospf ${directive} ${text(e, field)}`);
    }
  }
  out.push("router ospf");
  if (on(o, "logadjacencychanges")) out.push(" log-adjacency-changes");
  if (text(o, "costreference")) out.push(` auto-cost reference-bandwidth ${text(o, "costreference")}`);
  if (text(o, "routerid")) out.push(` ospf router-id ${text(o, "routerid")}`);
  for (const { e } of items(root, "OPNsense/quagga/ospf/redistributions", "redistribution")) {
    if ((text(e, "enabled") || "1") === "1")
      out.push(` redistribute ${text(e, "redistribute") || "connected"}`);
  }
  for (const { e } of items(root, "OPNsense/quagga/ospf/areas", "area")) {
    if ((text(e, "enabled") || "1") === "1") out.push(` area ${text(e, "id")} ${text(e, "type") || "stub"}`);
  }
  for (const { e } of items(root, "OPNsense/quagga/ospf/neighbors", "neighbor")) {
    if ((text(e, "enabled") || "1") !== "1") continue;
    let line = ` neighbor ${text(e, "address")}`;
    if (text(e, "pollinterval")) line += ` poll-interval ${text(e, "pollinterval")}`;
    if (text(e, "priority")) line += ` priority ${text(e, "priority")}`;
    out.push(line);
  }
  for (const { e } of items(root, "OPNsense/quagga/ospf/networks", "network")) {
    if ((text(e, "enabled") || "1") === "1") {
      out.push(` network ${text(e, "ipaddr")}/${text(e, "netmask") || "24"} area ${text(e, "area")}`);
    }
    if (text(e, "arearange")) out.push(` area ${text(e, "area")} range ${text(e, "arearange")}`);
  }
  if (on(o, "originate")) {
    let line = " default-information originate";
    if (on(o, "originatealways")) line += " always";
    if (text(o, "originatemetric")) line += ` metric ${text(o, "originatemetric")}`;
    out.push(line);
  }
  return out;
}

function bgp(root: XmlElement): string[] {
  const b = at(root, "OPNsense/quagga/bgp");
  if (!on(b, "enabled") || !text(b, "asnumber")) return [];
  const neighbors = items(root, "OPNsense/quagga/bgp/neighbors", "neighbor")
    .map(({ e }) => e)
    .filter((e) => (text(e, "enabled") || "1") === "1");
  const fam = (e: XmlElement): string[] => {
    if (on(e, "multiprotocol")) return ["ipv4", "ipv6"];
    return [text(e, "address").includes(":") ? "ipv6" : "ipv4"];
  };
  const out = [`router bgp ${text(b, "asnumber")}`];
  if (on(b, "logneighborchanges")) out.push(" bgp log-neighbor-changes");
  if (text(b, "enforce_first_as") === "0") out.push(" no bgp enforce-first-as");
  out.push(" no bgp default ipv4-unicast", " no bgp ebgp-requires-policy");
  out.push(
    (text(b, "networkimportcheck") || "1") === "1"
      ? " bgp network import-check"
      : " no bgp network import-check",
  );
  if (on(b, "graceful")) out.push(" bgp graceful-restart");
  for (const opt of csv(text(b, "bestpath"))) out.push(` bgp bestpath ${opt}`);
  if (text(b, "routerid")) out.push(` bgp router-id ${text(b, "routerid")}`);
  if (text(b, "distance"))
    out.push(` distance bgp ${text(b, "distance")} ${text(b, "distance")} ${text(b, "distance")}`);
  for (const n of neighbors) {
    const a = text(n, "address");
    const remote = text(n, "remote_as_mode") || text(n, "remoteas");
    if (remote) out.push(` neighbor ${a} remote-as ${remote}`);
    if (text(n, "localas")) out.push(` neighbor ${a} local-as ${text(n, "localas")}`);
    if (text(n, "description")) out.push(` neighbor ${a} description ${text(n, "description")}`);
    if (text(n, "password")) out.push(` neighbor ${a} password ${text(n, "password")}`);
    if (text(n, "weight")) out.push(` neighbor ${a} weight ${text(n, "weight")}`);
    if (!a.includes(":") && text(n, "updatesource")) {
      out.push(` neighbor ${a} update-source ${physicalInterface(root, text(n, "updatesource"))}`);
    }
    if (on(n, "multihop")) out.push(` neighbor ${a} ebgp-multihop 255`);
    if (text(n, "keepalive") && text(n, "holddown")) {
      out.push(` neighbor ${a} timers ${text(n, "keepalive")} ${text(n, "holddown")}`);
    }
    if (text(n, "connecttimer")) out.push(` neighbor ${a} timers connect ${text(n, "connecttimer")}`);
  }
  const networks = csv(text(b, "networks"));
  for (const af of ["ipv4", "ipv6"]) {
    out.push(` address-family ${af} unicast`);
    if (text(b, "maximumpaths")) out.push(`  maximum-paths ${text(b, "maximumpaths")}`);
    if (text(b, "maximumpathsibgp")) out.push(`  maximum-paths ibgp ${text(b, "maximumpathsibgp")}`);
    for (const net of networks.filter((x) => x.includes(":") === (af === "ipv6")))
      out.push(`  network ${net}`);
    for (const n of neighbors.filter((x) => fam(x).includes(af))) {
      const a = text(n, "address");
      out.push(`  neighbor ${a} activate`);
      if (on(n, "nexthopself"))
        out.push(`  neighbor ${a} next-hop-self${on(n, "nexthopselfall") ? " all" : ""}`);
      if (on(n, "rrclient")) out.push(`  neighbor ${a} route-reflector-client`);
      if (on(n, "soft_reconfiguration_inbound")) out.push(`  neighbor ${a} soft-reconfiguration inbound`);
      if (on(n, "defaultoriginate")) out.push(`  neighbor ${a} default-originate`);
      if (on(n, "asoverride")) out.push(`  neighbor ${a} as-override`);
    }
    out.push(" exit-address-family");
  }
  return out;
}

/** The text of /usr/local/etc/frr/frr.conf for this config. */
export function renderFrr(root: XmlElement): string {
  return `${[...general(root), ...ospf(root), ...bgp(root)].join("\n")}\n`;
}

/** rc.conf.d/frr's `frr_enable`: the FRR service runs only when the plugin is enabled. */
export function frrEnabled(root: XmlElement): boolean {
  return text(at(root, "OPNsense/quagga/general"), "enabled") === "1";
}
