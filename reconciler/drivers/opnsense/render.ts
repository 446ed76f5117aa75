// Pure: the candidate config.xml, i.e. the live text with the smallest edits that make the managed
// parts what git asks for. Items are matched by the UUID the reconciler derives for them, else by
// their natural key (a hand-made item git now describes is adopted: it takes the derived UUID);
// new ones are appended after their siblings; only the reconciler's own items are removed when git
// drops them. Unknown elements, unknown fields of known items and <revision> are never touched.
// Interfaces, WireGuard and FRR here; the firewall in render-firewall.ts; the shared matching in
// render-sync.ts.
import { canonAddress, familyOf } from "../../model/canonical.ts";
import type { DeviceIntent, OspfInterface, WireguardInterface } from "../../schema/device.ts";
import { networkOf } from "./live-state.ts";
import { QUAGGA, WG } from "./paths.ts";
import { renderAliases, renderRules } from "./render-firewall.ts";
import {
  bool,
  CandidateError,
  type Field,
  model,
  num,
  type RenderContext,
  syncAt,
  syncFields,
  syncList,
  type Want,
} from "./render-sync.ts";
import { deviceKeyToken, devicePubkeyToken, envSecretToken } from "./secrets.ts";
import { stableUuid } from "./uuid.ts";
import { type ConfigView, type Item, viewOf } from "./view.ts";
import { loopbackId, modelName, NETWORK_TYPES, splitEndpoint, wgInstance } from "./vocabulary.ts";
import { leaf, parseXml, type XmlElement } from "./xml.ts";
import { type Handle, XmlEditor } from "./xml-edit.ts";

export { CandidateError } from "./render-sync.ts";

class Renderer implements RenderContext {
  readonly ed: XmlEditor;
  readonly v: ConfigView;
  readonly root: Handle;
  /** Device name → interface identifier, including assignments this render adds. */
  readonly idents = new Map<string, string>();

  constructor(
    readonly intent: DeviceIntent,
    readonly device: string,
    text: string,
  ) {
    const doc = parseXml(text);
    this.v = viewOf(doc, device);
    this.ed = new XmlEditor(doc);
    this.root = { el: doc.root };
    for (const [dev, ident] of this.v.devToIdent) this.idents.set(dev, ident);
  }

  uuid(kind: Parameters<typeof stableUuid>[1], key: string): string {
    return stableUuid(this.device, kind, key);
  }

  ident(dev: string, what: string): string {
    const i = this.idents.get(dev);
    if (!i)
      throw new CandidateError(
        `${what}: the interface ${dev} is neither assigned on the device nor described in git`,
      );
    return i;
  }

  /** The interfaces the intent names, assigned (opt<N>, the lowest free N) when the box has no assignment. */
  assignments(): void {
    const loopbacks = (this.intent.interfaces ?? []).filter(
      (i) => i.kind === "loopback" && loopbackId(i.name),
    );
    const wanted: { dev: string; descr: string; v4?: string; v6?: string }[] = [
      ...loopbacks.map((i) => {
        const v4 = (i.addresses ?? []).find((a) => familyOf(a) === "ipv4");
        const v6 = (i.addresses ?? []).find((a) => familyOf(a) === "ipv6");
        return {
          dev: i.name,
          descr: modelName(i.description, i.name),
          ...(v4 ? { v4 } : {}),
          ...(v6 ? { v6 } : {}),
        };
      }),
      ...(this.intent.wireguard ?? []).map((w) => ({ dev: w.name, descr: modelName(w.description, w.name) })),
    ];
    const container = this.ed.child(this.root, "interfaces");
    let next = 1;
    for (const w of wanted) {
      const fields: Field[] = [
        ["if", w.dev],
        ["enable", "1"],
      ];
      if ("v4" in w || loopbackId(w.dev)) {
        const [ip = "", len = ""] = (w.v4 ?? "").split("/");
        const [ip6 = "", len6 = ""] = (w.v6 ?? "").split("/");
        fields.push(["ipaddr", ip], ["subnet", len], ["ipaddrv6", ip6], ["subnetv6", len6]);
      }
      const ident = this.v.devToIdent.get(w.dev);
      const el = ident ? this.v.assignments.get(ident) : undefined;
      if (el) {
        syncFields(this.ed, el, fields);
        continue;
      }
      while (this.v.assignments.has(`opt${next}`)) next++;
      const name = `opt${next++}`;
      this.idents.set(w.dev, name);
      this.ed.append(container, {
        name,
        children: [
          { name: "if", value: w.dev },
          { name: "descr", value: w.descr },
          ...fields.slice(1).map(([n, v]) => ({ name: n, value: v as string })),
        ],
      });
    }
    // The assignments of the reconciler's loopbacks and WireGuard instances git no longer has.
    const keep = new Set(wanted.map((w) => w.dev));
    const gone = [
      ...this.v.loopbacks.filter((l) => l.owned && !keep.has(l.key)).map((l) => l.key),
      ...this.v.servers.filter((s) => s.owned && !keep.has(s.dev)).map((s) => s.dev),
    ];
    for (const dev of gone) {
      const el = this.v.assignments.get(this.v.devToIdent.get(dev) ?? "");
      if (el) this.ed.remove(el);
    }
  }

  loopbacks(): void {
    const wants: Want[] = (this.intent.interfaces ?? []).flatMap((i) => {
      const id = loopbackId(i.name);
      if (i.kind !== "loopback" || id === undefined) return [];
      return [
        {
          uuid: this.uuid("loopback", i.name),
          key: i.name,
          fields: [
            ["deviceId", String(id)],
            ["description", i.description ?? ""],
          ],
        },
      ];
    });
    if (wants.length === 0 && !this.v.loopbacks.some((l) => l.owned)) return;
    const interfaces = this.ed.path(this.root, "OPNsense", "Interfaces");
    syncList(
      this.ed,
      model(this.ed, interfaces, "Interfaces/loopbacks", "loopbacks"),
      "loopback",
      this.v.loopbacks,
      wants,
    );
  }

  wireguard(): void {
    const wgs = this.intent.wireguard ?? [];
    const owns = this.v.servers.some((s) => s.owned);
    if (wgs.length === 0 && !owns) return;
    const wg = this.ed.path(this.root, ...WG);
    if (wgs.length > 0)
      syncAt(this.ed, model(this.ed, wg, "wireguard/general", "general"), [["enabled", "1"]]);
    const clients = this.ed.child(model(this.ed, wg, "wireguard/client", "client"), "clients");
    const servers = this.ed.child(model(this.ed, wg, "wireguard/server", "server"), "servers");
    const allPeers: Item[] = this.v.servers.flatMap((s) => s.peers);
    const peerWants: Want[] = [];
    const serverWants: Want[] = wgs.map((w) => {
      const liveServer = this.v.servers.find((s) => s.dev === w.name);
      const peerUuids = w.peers.map((p) => {
        const want = this.peerWant(w, p, liveServer?.peers ?? []);
        peerWants.push(want);
        return want.uuid;
      });
      // Peers someone else added to this instance stay in its list (never removed by us).
      const foreign = (liveServer?.peers ?? []).filter(
        (p) => !p.owned && !w.peers.some((d) => `${w.name}:${d.public_key}` === p.key),
      );
      return this.serverWant(w, [...foreign.map((p) => p.uuid), ...peerUuids], liveServer !== undefined);
    });
    // Peers are matched among those of their own instance only (a key may be a peer of two).
    syncList(this.ed, clients, "client", allPeers, peerWants);
    syncList(this.ed, servers, "server", this.v.servers, serverWants);
  }

  peerWant(w: WireguardInterface, p: WireguardInterface["peers"][number], livePeers: Item[]): Want {
    const key = `${w.name}:${p.public_key}`;
    const live = livePeers.find((x) => x.key === key);
    const { host, port } = p.endpoint ? splitEndpoint(p.endpoint) : { host: "", port: "" };
    const fields: Field[] = [
      ["enabled", "1"],
      ["name", modelName(p.description, `${w.name}-peer`)],
      ["pubkey", p.public_key],
      ["tunneladdress", p.allowed_ips.join(",")],
      ["serveraddress", host],
      ["serverport", port],
      ["keepalive", num(p.persistent_keepalive)],
    ];
    // A preshared key the box already holds is kept as it is (its token); a new one comes from
    // the environment at apply time.
    const livePsk = live ? (leaf(live.el, "psk") ?? "") : "";
    if (!p.preshared_key_env) fields.splice(3, 0, ["psk", ""]);
    else if (livePsk === "") fields.splice(3, 0, ["psk", envSecretToken(p.preshared_key_env)]);
    return { uuid: this.uuid("wg-peer", key), key, fields };
  }

  serverWant(w: WireguardInterface, peers: string[], exists: boolean): Want {
    const fields: Field[] = [
      ["enabled", "1"],
      ["name", modelName(w.description, w.name)],
      ["instance", String(wgInstance(w.name) ?? 0)],
    ];
    // A new instance's key pair is the one `reconciler keys` had the box generate: named here by
    // tokens that the commit fills on the box from its key files (the private key is never sent).
    if (!exists) fields.push(["pubkey", devicePubkeyToken(w.name)], ["privkey", deviceKeyToken(w.name)]);
    fields.push(
      ["port", num(w.listen_port)],
      ["mtu", num(w.mtu)],
      ["tunneladdress", (w.addresses ?? []).join(",")],
      ["disableroutes", w.table === "off" ? "1" : "0"],
      ["peers", peers.join(",")],
    );
    return { uuid: this.uuid("wg-server", w.name), key: w.name, fields };
  }

  /** The addresses git gives a device's interface. */
  addressesOf(dev: string): string[] {
    return [
      ...(this.intent.interfaces ?? []).filter((i) => i.name === dev).flatMap((i) => i.addresses ?? []),
      ...(this.intent.wireguard ?? []).filter((w) => w.name === dev).flatMap((w) => w.addresses ?? []),
    ];
  }

  quagga(): void {
    const ospf = this.intent.ospf;
    const bgp = this.intent.bgp;
    const ownsOspf = this.v.ospfInterfaces.some((i) => i.owned) || this.v.ospfNetworks.some((n) => n.owned);
    const ownsBgp = this.v.bgpNeighbors.some((n) => n.owned);
    if (!ospf && !bgp && !ownsOspf && !ownsBgp) return;
    const q = this.ed.path(this.root, ...QUAGGA);
    if (ospf || bgp) syncAt(this.ed, model(this.ed, q, "quagga/general", "general"), [["enabled", "1"]]);
    if (ospf || ownsOspf) this.ospf(model(this.ed, q, "quagga/ospf", "ospf"));
    if (bgp || ownsBgp) this.bgp(model(this.ed, q, "quagga/bgp", "bgp"));
  }

  ospf(h: Handle): void {
    const ospf = this.intent.ospf;
    const inst = ospf?.instances.find((i) => i.version === 2);
    const networks: Want[] = [];
    const interfaces: Want[] = [];
    const passive: string[] = [];
    const seen = new Set<string>();
    const network = (prefix: string, area: string) => {
      const [ip = "", len = ""] = networkOf(prefix).split("/");
      const key = `${ip}/${len}@${area}`;
      if (seen.has(key)) return;
      seen.add(key);
      networks.push({
        uuid: this.uuid("ospf-network", key),
        key,
        fields: [
          ["enabled", "1"],
          ["ipaddr", ip],
          ["netmask", len],
          ["area", area],
        ],
      });
    };
    for (const area of inst?.areas ?? []) {
      const id = String(area.id);
      for (const i of area.interfaces ?? []) {
        for (const a of this.addressesOf(i.name)) if (familyOf(a) === "ipv4") network(a, id);
        if (i.passive) passive.push(this.ident(i.name, "an OSPF interface"));
        interfaces.push(this.ospfInterfaceWant(i, id));
      }
      for (const s of area.stub_networks ?? []) if (familyOf(s) === "ipv4") network(s, id);
    }
    const el = elOf(h);
    if (inst && ospf) {
      const fields: Field[] = [
        ["enabled", "1"],
        ["routerid", inst.router_id ?? ospf.router_id],
        ["redistribute", [...new Set(inst.redistribute ?? [])].sort().join(",")],
        ["passiveinterfaces", passive.join(",")],
      ];
      syncAt(this.ed, h, fields);
    } else if (el) syncFields(this.ed, el, [["enabled", "0"]]);
    syncList(this.ed, this.ed.child(h, "networks"), "network", this.v.ospfNetworks, networks);
    syncList(this.ed, this.ed.child(h, "interfaces"), "interface", this.v.ospfInterfaces, interfaces);
  }

  ospfInterfaceWant(i: OspfInterface, area: string): Want {
    const auth = i.authentication?.type === "cryptographic";
    const fields: Field[] = [
      ["enabled", "1"],
      ["interfacename", this.ident(i.name, "an OSPF interface")],
      ["area", area],
      ["cost", num(i.cost)],
      ["hellointerval", num(i.hello)],
      ["deadinterval", num(i.dead)],
      ["retransmitinterval", num(i.retransmit)],
      ["networktype", i.type ? NETWORK_TYPES[i.type] : ""],
      ["authtype", auth ? "message-digest" : ""],
      ["authkey_id", auth ? String(i.authentication?.key_id ?? 1) : "1"],
    ];
    const live = this.v.ospfInterfaces.find((x) => x.key === i.name);
    const liveKey = live ? (leaf(live.el, "authkey") ?? "") : "";
    const env = i.authentication?.password_env;
    if (!auth || !env) fields.push(["authkey", ""]);
    else if (liveKey === "") fields.push(["authkey", envSecretToken(env)]);
    return { uuid: this.uuid("ospf-interface", i.name), key: i.name, fields };
  }

  /** The interface that holds an address, for BGP's update source (an interface in OPNsense's model). */
  sourceIdent(address: string): string {
    const want = canonAddress(address);
    const devs = [
      ...(this.intent.interfaces ?? []).map((i) => i.name),
      ...(this.intent.wireguard ?? []).map((w) => w.name),
    ];
    const dev = devs.find((d) =>
      this.addressesOf(d).some((a) => canonAddress(a.split("/")[0] ?? "") === want),
    );
    if (!dev) throw new CandidateError(`BGP update source ${address}: no interface in git has this address`);
    return this.ident(dev, "a BGP update source");
  }

  bgp(h: Handle): void {
    const bgp = this.intent.bgp;
    const neighbors: Want[] = (bgp?.neighbors ?? []).map((n) => ({
      uuid: this.uuid("bgp-neighbor", n.address),
      key: n.address,
      fields: [
        ["enabled", "1"],
        ["description", n.description ?? ""],
        ["address", n.address],
        ["remoteas", String(n.remote_asn)],
        ["updatesource", n.update_source ? this.sourceIdent(n.update_source) : ""],
        ["nexthopself", bool(n.next_hop_self)],
        ["rrclient", bool(n.route_reflector_client)],
      ],
    }));
    const el = elOf(h);
    if (bgp) {
      const fields: Field[] = [
        ["enabled", "1"],
        ["asnumber", String(bgp.asn)],
        ["routerid", bgp.router_id ?? ""],
        ["networks", (bgp.announce ?? []).join(",")],
      ];
      syncAt(this.ed, h, fields);
    } else if (el) syncFields(this.ed, el, [["enabled", "0"]]);
    syncList(this.ed, this.ed.child(h, "neighbors"), "neighbor", this.v.bgpNeighbors, neighbors);
  }

  /** raw.opnsense: one value per path below <opnsense>, elements created as needed. */
  raw(): void {
    for (const { path, value } of this.intent.raw?.opnsense ?? []) {
      const h = this.ed.path(this.root, ...path.split("/"));
      if ("x" in h) {
        h.x.value = value;
        delete h.x.children;
      } else if (h.el.children.length > 0) {
        throw new CandidateError(`raw.opnsense ${path}: not a value but a section of config.xml`);
      } else if (h.el.text.trim() !== value) this.ed.setText(h.el, value);
    }
  }
}

const elOf = (h: Handle): XmlElement | undefined => ("el" in h ? h.el : undefined);

export function renderConfig(intent: DeviceIntent, device: string, liveText: string): string {
  const r = new Renderer(intent, device, liveText);
  r.assignments();
  r.loopbacks();
  r.wireguard();
  r.quagga();
  renderAliases(r);
  renderRules(r);
  r.raw();
  return r.ed.result();
}
