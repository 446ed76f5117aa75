// The routing part of the simulated configuration as a bird2 configuration: `/routing id`,
// `/routing ospf instance|area|interface-template`, `/routing bgp connection|template` and the
// static `/ip route`s. Pure (store in, text out) so that it can be tested without a namespace.
// Protocol names carry the item's id (`ospf3`, `bgp7`): the operational menus map bird's
// protocols back to the RouterOS items through them.
import type { Store, StoredItem } from "./store.ts";
import { parseTime } from "./values.ts";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PREFIX4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([12]?\d|3[0-2])$/;
const IFNAME = /^[A-Za-z0-9._-]{1,15}$/;

const enabled = (i: StoredItem) => i.values.disabled !== "yes";
const items = (store: Store, path: string) => store.list(path).filter(enabled);
const list = (v: string | undefined) => (v ? v.split(",").filter((x) => x !== "") : []);
const seconds = (v: string | undefined) => (v === undefined ? undefined : parseTime(v));

/** bird's protocol name for an item (ids are stable for an item's life). */
export const ospfProto = (i: StoredItem) => `ospf${i.id}`;
export const bgpProto = (i: StoredItem) => `bgp${i.id}`;

/** An instance's or connection's router-id: an address, or the name of a `/routing id`. */
export function resolveRouterId(store: Store, ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  if (IPV4.test(ref)) return ref;
  const id = items(store, "routing id").find((i) => i.values.name === ref)?.values.id;
  return id && IPV4.test(id) ? id : undefined;
}

/** The interfaces an interface template names, directly or by the networks their addresses are in. */
function templateInterfaces(store: Store, t: StoredItem): string[] {
  const names = new Set(list(t.values.interfaces).filter((n) => IFNAME.test(n)));
  for (const net of list(t.values.networks).filter((n) => PREFIX4.test(n)))
    for (const a of items(store, "ip address"))
      if (
        inPrefix((a.values.address ?? "").split("/")[0] ?? "", net) &&
        IFNAME.test(a.values.interface ?? "")
      )
        names.add(a.values.interface as string);
  return [...names];
}

function inPrefix(ip: string, prefix: string): boolean {
  if (!IPV4.test(ip)) return false;
  const [net = "", len = "32"] = prefix.split("/");
  const n = (x: string) => x.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return Math.floor(n(ip) / size) === Math.floor(n(net) / size);
}

/** RouterOS redistribute words → bird route sources. */
function sources(words: string[]): string {
  const map: Record<string, string[]> = {
    connected: ["RTS_DEVICE"],
    static: ["RTS_STATIC"],
    ospf: ["RTS_OSPF", "RTS_OSPF_IA", "RTS_OSPF_EXT1", "RTS_OSPF_EXT2"],
    bgp: ["RTS_BGP"],
  };
  const s = words.flatMap((w) => map[w] ?? []);
  return s.length ? `where source ~ [ ${s.join(", ")} ]` : "none";
}

function ospfInterface(store: Store, t: StoredItem): string[] {
  const v = t.values;
  const type: Record<string, string> = {
    ptp: "ptp",
    "ptp-unnumbered": "ptp",
    broadcast: "broadcast",
    nbma: "nbma",
    ptmp: "ptmp",
  };
  const opts = [
    // a RouterOS bridge runs without ports (the "loopback bridge"): the link state is not checked
    "check link no;",
    `cost ${Number(v.cost ?? 1)};`,
    `hello ${seconds(v["hello-interval"]) ?? 10};`,
    `dead ${seconds(v["dead-interval"]) ?? 40};`,
    `retransmit ${seconds(v["retransmit-interval"]) ?? 5};`,
    `transmit delay ${seconds(v["transmit-delay"]) ?? 1};`,
    `priority ${Number(v.priority ?? 128)};`,
    `type ${type[v.type ?? "broadcast"] ?? "broadcast"};`,
    ...(v.passive === "yes" ? ["stub yes;"] : []),
  ];
  const key = v["auth-key"];
  if (v.auth && key && /^[\x21-\x7e]{1,64}$/.test(key) && !/["\\]/.test(key)) {
    if (v.auth === "simple") opts.push("authentication simple;", `password "${key}";`);
    else {
      const alg = v.auth === "md5" ? "keyed md5" : `hmac ${v.auth}`;
      opts.push(
        "authentication cryptographic;",
        `password "${key}" { id ${Number(v["auth-id"] ?? 1)}; algorithm ${alg}; };`,
      );
    }
  }
  return templateInterfaces(store, t).map((n) => `    interface "${n}" { ${opts.join(" ")} };`);
}

function ospfBlocks(store: Store): string[] {
  const out: string[] = [];
  for (const inst of items(store, "routing ospf instance")) {
    const areas = items(store, "routing ospf area").filter(
      (a) => a.values.instance === inst.values.name && IPV4.test(a.values["area-id"] ?? "0.0.0.0"),
    );
    // an instance without an area does nothing on RouterOS; bird refuses one
    if (areas.length === 0) continue;
    const v3 = inst.values.version === "3";
    const rid = resolveRouterId(store, inst.values["router-id"] ?? "main");
    out.push(`protocol ospf ${v3 ? "v3" : "v2"} ${ospfProto(inst)} {`);
    if (rid) out.push(`  router id ${rid};`);
    out.push(`  ${v3 ? "ipv6" : "ipv4"} { import all; export ${sources(list(inst.values.redistribute))}; };`);
    for (const area of areas) {
      const id = area.values["area-id"] ?? "0.0.0.0";
      out.push(`  area ${id} {`);
      if (area.values.type === "stub") out.push("    stub yes;");
      for (const t of items(store, "routing ospf interface-template").filter(
        (x) => x.values.area === area.values.name,
      ))
        out.push(...ospfInterface(store, t));
      out.push("  };");
    }
    out.push("}");
  }
  return out;
}

function bgpBlocks(store: Store): string[] {
  const out: string[] = [];
  const templates = items(store, "routing bgp template");
  for (const c of items(store, "routing bgp connection")) {
    const v = c.values;
    // the first template naming a value wins; the connection's own values over all
    const tpl: Record<string, string> = {};
    for (const n of list(v.templates).reverse())
      Object.assign(tpl, templates.find((t) => t.values.name === n)?.values ?? {});
    const get = (k: string) => v[k] ?? tpl[k];
    const as = get("as");
    const remote = (v["remote.address"] ?? "").replace(/\/32$/, "");
    const remoteAs = v["remote.as"] ?? (v["local.role"]?.startsWith("ibgp") ? as : undefined);
    if (!as || !remoteAs || !IPV4.test(remote)) continue; // bird cannot run it: RouterOS would not connect either
    const local = v["local.address"];
    out.push(`protocol bgp ${bgpProto(c)} {`);
    const rid = resolveRouterId(store, get("router-id"));
    if (rid) out.push(`  router id ${rid};`);
    out.push(`  local ${local && IPV4.test(local) ? `${local} ` : ""}as ${Number(as)};`);
    out.push(`  neighbor ${remote} as ${Number(remoteAs)};`);
    if (v["local.role"] === "ibgp-rr") out.push("  rr client;");
    if (v.connect === "no") out.push("  passive yes;");
    const hold = seconds(get("hold-time"));
    const keep = seconds(get("keepalive-time"));
    if (hold) out.push(`  hold time ${hold};`);
    if (keep) out.push(`  keepalive time ${keep};`);
    out.push(`  ipv4 { import all; export ${sources(list(get("output.redistribute")))}; };`);
    out.push("}");
  }
  return out;
}

function staticBlock(store: Store): string[] {
  const routes: string[] = [];
  for (const r of items(store, "ip route")) {
    const dst = r.values["dst-address"] ?? "0.0.0.0/0";
    if (!PREFIX4.test(dst) || (r.values["routing-table"] ?? "main") !== "main") continue;
    const gw = r.values.gateway ?? "";
    if (r.values.blackhole === "yes") routes.push(`  route ${dst} blackhole;`);
    else if (IPV4.test(gw)) routes.push(`  route ${dst} via ${gw};`);
    else if (IFNAME.test(gw)) routes.push(`  route ${dst} via "${gw}";`);
  }
  return routes.length ? ["protocol static static4 {", "  ipv4;", ...routes, "}"] : [];
}

/** The whole bird.conf for the configuration. */
export function birdConfig(store: Store): string {
  const firstOspf = items(store, "routing ospf instance")[0];
  const rid =
    resolveRouterId(store, firstOspf?.values["router-id"] ?? "main") ??
    items(store, "routing id")
      .map((i) => i.values.id)
      .find((x) => x && IPV4.test(x));
  return [
    "# Generated by the RouterOS simulator's Linux backing from the simulated configuration.",
    'log "/run/bird/bird.log" all;',
    ...(rid ? [`router id ${rid};`] : []),
    "protocol device { scan time 2; }",
    // learnt routes into the namespace's table, as RouterOS installs them in its FIB
    "protocol kernel kernel4 {",
    "  ipv4 { import none; export where source ~ [ RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2, RTS_BGP, RTS_STATIC ]; };",
    "}",
    "protocol direct direct4 { ipv4; }",
    ...staticBlock(store),
    ...ospfBlocks(store),
    ...bgpBlocks(store),
    "",
  ].join("\n");
}
