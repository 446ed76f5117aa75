// The managed parts of a parsed config.xml, item by item, each with its element and whether the
// reconciler owns it (its uuid is the one stableUuid() derives for its key). Read and render both
// start from this view, so that they agree on what an item is and who made it.
import { ALIASES, LOOPBACKS, QUAGGA, WG } from "./paths.ts";
import { stableUuid } from "./uuid.ts";
import { csv, wgInstance } from "./vocabulary.ts";
import { at, childrenNamed, leaf, type XmlDocument, type XmlElement } from "./xml.ts";

export interface Item {
  el: XmlElement;
  uuid: string;
  /** The key the item's UUID is derived from. */
  key: string;
  owned: boolean;
}

export interface ServerItem extends Item {
  /** wg<instance>. */
  dev: string;
  peers: Item[];
}

export interface ConfigView {
  doc: XmlDocument;
  /** Interface assignments: identifier (lan, opt1) ↔ device (lo1, wg0). */
  identToDev: Map<string, string>;
  devToIdent: Map<string, string>;
  assignments: Map<string, XmlElement>;
  loopbacks: Item[];
  servers: ServerItem[];
  /** Every WireGuard client (peer) by uuid. */
  clients: Map<string, XmlElement>;
  ospfNetworks: Item[];
  ospfInterfaces: Item[];
  bgpNeighbors: Item[];
  aliases: Item[];
  rules: Item[];
}

export function viewOf(doc: XmlDocument, device: string): ConfigView {
  const root = doc.root;
  const identToDev = new Map<string, string>();
  const devToIdent = new Map<string, string>();
  const assignments = new Map<string, XmlElement>();
  for (const a of at(root, "interfaces")?.children ?? []) {
    assignments.set(a.name, a);
    const dev = leaf(a, "if");
    if (dev) {
      identToDev.set(a.name, dev);
      if (!devToIdent.has(dev)) devToIdent.set(dev, a.name);
    }
  }
  const item = (el: XmlElement, kind: Parameters<typeof stableUuid>[1], key: string): Item => {
    const uuid = el.attrs.uuid ?? "";
    return { el, uuid, key, owned: uuid !== "" && uuid === stableUuid(device, kind, key) };
  };
  const list = (path: readonly string[], name: string) => childrenNamed(at(root, ...path), name);

  const loopbacks = list(LOOPBACKS, "loopback").map((el) =>
    item(el, "loopback", `lo${leaf(el, "deviceId") ?? ""}`),
  );
  const clients = new Map<string, XmlElement>();
  for (const c of list([...WG, "client", "clients"], "client"))
    if (c.attrs.uuid) clients.set(c.attrs.uuid, c);
  const servers: ServerItem[] = list([...WG, "server", "servers"], "server").flatMap((el) => {
    const instance = leaf(el, "instance");
    if (instance === undefined || wgInstance(`wg${instance}`) === undefined) return [];
    const dev = `wg${instance}`;
    const peers = csv(leaf(el, "peers")).flatMap((uuid) => {
      const c = clients.get(uuid);
      return c ? [item(c, "wg-peer", `${dev}:${leaf(c, "pubkey") ?? ""}`)] : [];
    });
    return [{ ...item(el, "wg-server", dev), dev, peers }];
  });
  const ospfNetworks = list([...QUAGGA, "ospf", "networks"], "network").map((el) =>
    item(
      el,
      "ospf-network",
      `${leaf(el, "ipaddr") ?? ""}/${leaf(el, "netmask") ?? ""}@${leaf(el, "area") ?? ""}`,
    ),
  );
  const ospfInterfaces = list([...QUAGGA, "ospf", "interfaces"], "interface").map((el) => {
    const ident = leaf(el, "interfacename") ?? "";
    return item(el, "ospf-interface", identToDev.get(ident) ?? ident);
  });
  const bgpNeighbors = list([...QUAGGA, "bgp", "neighbors"], "neighbor").map((el) =>
    item(el, "bgp-neighbor", leaf(el, "address") ?? ""),
  );
  const aliases = list(ALIASES, "alias").map((el) => item(el, "alias", leaf(el, "name") ?? ""));
  const rules = list(["filter"], "rule").map((el) => item(el, "rule", leaf(el, "descr") ?? ""));
  return {
    doc,
    identToDev,
    devToIdent,
    assignments,
    loopbacks,
    servers,
    clients,
    ospfNetworks,
    ospfInterfaces,
    bgpNeighbors,
    aliases,
    rules,
  };
}
