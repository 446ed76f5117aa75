// Builders for model items as the GUI stores them (every field of the model present, empty ones
// self-closing, a v4 uuid per item, items appended in insertion order), and the example's fw-1:
// WireGuard instance 0 dialling core-1 (desired/links.yaml core-fw) with OSPF on it, and iBGP to
// the route reflector (desired/fw-1.yaml). Tests write these through the GUI writer.
import { randomUUID } from "node:crypto";
import { setPath } from "./edits.ts";
import { at, el, type XmlElement } from "./xml.ts";

const fields = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => el(k, v));

function append(
  root: XmlElement,
  container: string,
  item: string,
  o: Record<string, string>,
  uuid = randomUUID(),
) {
  const c = at(root, container);
  if (!c) throw new Error(`no ${container} in config.xml`);
  c.children.push(el(item, fields(o), [["uuid", uuid]]));
  return uuid;
}

export interface WgServerInput {
  name: string;
  instance: string;
  privkey: string;
  pubkey: string;
  port?: string;
  mtu?: string;
  tunneladdress: string[];
  peers: string[];
  disableroutes?: boolean;
}

export function addWgServer(root: XmlElement, s: WgServerInput): string {
  return append(root, "OPNsense/wireguard/server/servers", "server", {
    enabled: "1",
    name: s.name,
    instance: s.instance,
    pubkey: s.pubkey,
    privkey: s.privkey,
    port: s.port ?? "",
    mtu: s.mtu ?? "",
    dns: "",
    tunneladdress: s.tunneladdress.join(","),
    disableroutes: s.disableroutes ? "1" : "0",
    gateway: "",
    carp_depend_on: "",
    peers: s.peers.join(","),
    debug: "0",
    endpoint: "",
    peer_dns: "",
    allowed_ips: "",
  });
}

export interface WgClientInput {
  name: string;
  pubkey: string;
  tunneladdress: string[];
  serveraddress?: string;
  serverport?: string;
  keepalive?: string;
}

export function addWgClient(root: XmlElement, c: WgClientInput): string {
  return append(root, "OPNsense/wireguard/client/clients", "client", {
    enabled: "1",
    name: c.name,
    pubkey: c.pubkey,
    psk: "",
    tunneladdress: c.tunneladdress.join(","),
    serveraddress: c.serveraddress ?? "",
    serverport: c.serverport ?? "",
    keepalive: c.keepalive ?? "",
  });
}

export interface Fw1Keys {
  /** fw-1's wg0 private key and its public key. */
  privkey: string;
  pubkey: string;
  /** core-1's public key (its wg-fw interface). */
  corePubkey: string;
}

/** The example's fw-1 end of core-fw, its OSPF and its iBGP session, added to a base config. */
export function configureFw1(root: XmlElement, k: Fw1Keys): void {
  const peer = addWgClient(root, {
    name: "core-1",
    pubkey: k.corePubkey,
    tunneladdress: ["0.0.0.0/0"],
    serveraddress: "198.51.100.70",
    serverport: "51820",
    keepalive: "25",
  });
  addWgServer(root, {
    name: "core-fw",
    instance: "0",
    privkey: k.privkey,
    pubkey: k.pubkey,
    mtu: "1420",
    tunneladdress: ["203.0.113.7/31"],
    peers: [peer],
    // The peer's allowed IPs are everything (OSPF's multicast too): no routes pushed for it.
    disableroutes: true,
  });
  setPath(root, "OPNsense/wireguard/general/enabled", "1");
  // The tunnel as an OPNsense interface, so that the FRR model can name it.
  setPath(root, "interfaces/opt1/if", "wg0");
  setPath(root, "interfaces/opt1/descr", "core_fw");
  setPath(root, "interfaces/opt1/enable", "1");
  setPath(root, "OPNsense/quagga/general/enabled", "1");
  setPath(root, "OPNsense/quagga/ospf/enabled", "1");
  setPath(root, "OPNsense/quagga/ospf/routerid", "192.0.2.197");
  append(root, "OPNsense/quagga/ospf/networks", "network", {
    enabled: "1",
    ipaddr: "203.0.113.6",
    netmask: "31",
    area: "0.0.0.0",
    arearange: "",
    linkedPrefixlistIn: "",
    linkedPrefixlistOut: "",
  });
  append(root, "OPNsense/quagga/ospf/interfaces", "interface", {
    enabled: "1",
    interfacename: "opt1",
    authtype: "",
    authkey: "",
    authkey_id: "1",
    area: "",
    cost: "10",
    cost_demoted: "65535",
    carp_depend_on: "",
    hellointerval: "10",
    deadinterval: "40",
    retransmitinterval: "",
    transmitdelay: "",
    priority: "",
    bfd: "0",
    networktype: "point-to-point",
    p2mpoptions: "",
  });
  setPath(root, "OPNsense/quagga/bgp/enabled", "1");
  setPath(root, "OPNsense/quagga/bgp/asnumber", "64500");
  setPath(root, "OPNsense/quagga/bgp/routerid", "192.0.2.197");
  append(root, "OPNsense/quagga/bgp/neighbors", "neighbor", {
    enabled: "1",
    description: "core-1 route reflector",
    address: "203.0.113.6",
    remote_as_mode: "",
    remoteas: "64500",
    localas: "",
    password: "",
    weight: "",
    localip: "",
    updatesource: "opt1",
    linklocalinterface: "",
    nexthopself: "1",
    nexthopselfall: "0",
    multihop: "0",
    multiprotocol: "0",
    rrclient: "0",
    soft_reconfiguration_inbound: "0",
    bfd: "0",
    bfd_strict: "0",
    keepalive: "",
    holddown: "",
    connecttimer: "",
    defaultoriginate: "0",
    asoverride: "0",
    removeprivateas: "",
    allowas_in: "",
  });
}
