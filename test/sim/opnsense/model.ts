// The parts of config.xml the simulated services read: the WireGuard models of opnsense/core
// (models/OPNsense/Wireguard/{General,Server,Client}.xml, mounted at //OPNsense/wireguard/...)
// and the FRR plugin's Quagga models (opnsense/plugins net/frr models/OPNsense/Quagga/*.xml,
// mounted at //OPNsense/quagga/...). Values are kept as the strings the templates see.
import { at, attr, childrenNamed, text, type XmlElement } from "./xml.ts";

export interface WgServer {
  uuid: string;
  enabled: boolean;
  name: string;
  instance: string;
  privkey: string;
  port: string;
  mtu: string;
  tunneladdress: string[];
  disableroutes: boolean;
  gateway: string;
  /** Client (peer) UUIDs, from the comma-separated ModelRelationField. */
  peers: string[];
  debug: string;
}

export interface WgClient {
  uuid: string;
  enabled: boolean;
  name: string;
  pubkey: string;
  psk: string;
  tunneladdress: string[];
  serveraddress: string;
  serverport: string;
  keepalive: string;
}

export interface WireguardModel {
  enabled: boolean;
  servers: WgServer[];
  clients: WgClient[];
}

const list = (s: string): string[] =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** ArrayField items: the children named `item` of the container at `path`, with their uuid. */
export function items(root: XmlElement, path: string, item: string): { uuid: string; e: XmlElement }[] {
  return childrenNamed(at(root, path), item).map((e) => ({ uuid: attr(e, "uuid") ?? "", e }));
}

export function wireguardModel(root: XmlElement): WireguardModel {
  return {
    enabled: text(at(root, "OPNsense/wireguard/general"), "enabled") === "1",
    servers: items(root, "OPNsense/wireguard/server/servers", "server").map(({ uuid, e }) => ({
      uuid,
      // BooleanField with Default 1: an absent value is the default.
      enabled: (text(e, "enabled") || "1") === "1",
      name: text(e, "name"),
      instance: text(e, "instance"),
      privkey: text(e, "privkey"),
      port: text(e, "port"),
      mtu: text(e, "mtu"),
      tunneladdress: list(text(e, "tunneladdress")),
      disableroutes: text(e, "disableroutes") === "1",
      gateway: text(e, "gateway"),
      peers: list(text(e, "peers")),
      debug: text(e, "debug") || "0",
    })),
    clients: items(root, "OPNsense/wireguard/client/clients", "client").map(({ uuid, e }) => ({
      uuid,
      enabled: (text(e, "enabled") || "1") === "1",
      name: text(e, "name"),
      pubkey: text(e, "pubkey"),
      psk: text(e, "psk"),
      tunneladdress: list(text(e, "tunneladdress")),
      serveraddress: text(e, "serveraddress"),
      serverport: text(e, "serverport"),
      keepalive: text(e, "keepalive"),
    })),
  };
}

/**
 * The templates' physical_interface macro (opnsense/core templates/OPNsense/Macros/interface.macro):
 * an OPNsense interface name ("lan", "opt1") becomes its device (`interfaces/<name>/if`), any
 * other value is used as is.
 */
export function physicalInterface(root: XmlElement, name: string): string {
  const dev = text(at(root, `interfaces/${name}`), "if");
  return dev || name;
}
