// The menus the simulator knows: property names, types, allowed values and defaults, from the
// help.mikrotik.com pages named beside each menu and the real reference exports (test/helpers/reference.ts).
// A default is omitted by /export (compact); `always` properties are exported even at their
// default, as RouterOS v7 does for `disabled=` in the routing menus and `/ip route`.

export type PropType =
  | "string"
  | "int"
  | "bool"
  | "enum"
  | "list"
  | "time"
  | "ip"
  | "prefix"
  | "ip6prefix"
  | "key"
  | "flag"
  | "interface"
  | "interfaces";

export interface Prop {
  name: string;
  type: PropType;
  values?: string[];
  default?: string;
  min?: number;
  max?: number;
  sensitive?: boolean;
  readOnly?: boolean;
  always?: boolean;
}

export interface Menu {
  path: string;
  singleton?: boolean;
  /** Export phase: 1 = objects others refer to (in this table's order), 2 = the rest (by path). */
  phase: 1 | 2;
  props: Prop[];
  /** The property naming an item (`set NAME`, uniqueness). */
  nameProp?: string;
  required?: string[];
  /** Names shared with every interface menu. */
  interfaceMenu?: boolean;
  /** print's flag letters: [letter, property that sets it, the value]. */
  flags?: [string, string, string][];
  /** Default print columns. */
  columns?: string[];
  /** Not exported (state, not configuration). */
  noExport?: boolean;
  /** A read-only view over other menus (`/interface`: every interface): print, find, get. */
  view?: boolean;
  /** Operational state, not configuration: the rows come from the backing (none without one). */
  operational?: boolean;
}

const p = (name: string, type: PropType, extra: Partial<Prop> = {}): Prop => ({ name, type, ...extra });
const comment = p("comment", "string");
const disabled = p("disabled", "bool", { default: "no" });
const disabledAlways = p("disabled", "bool", { default: "no", always: true });
const XFLAG: [string, string, string] = ["X", "disabled", "yes"];

const SCRIPT_POLICY = "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon";

export const MENUS: Menu[] = [
  // help.mikrotik.com "Bridging and Switching"; 01/03/06 exports: `/interface bridge` `add name=lo0`
  {
    path: "interface bridge",
    phase: 1,
    interfaceMenu: true,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("mtu", "string", { default: "auto" }),
      p("arp", "enum", {
        values: ["disabled", "enabled", "local-proxy-arp", "proxy-arp", "reply-only"],
        default: "enabled",
      }),
      p("fast-forward", "bool", { default: "yes" }),
      p("protocol-mode", "enum", { values: ["mstp", "none", "rstp", "stp"], default: "rstp" }),
      p("vlan-filtering", "bool", { default: "no" }),
      p("admin-mac", "string"),
      p("auto-mac", "bool", { default: "yes" }),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "mtu"],
  },
  // Built-in ports; exported as `set [ find default-name=etherN ] …` (03, 08 exports)
  {
    path: "interface ethernet",
    phase: 1,
    interfaceMenu: true,
    nameProp: "name",
    props: [
      p("name", "string"),
      p("default-name", "string", { readOnly: true }),
      p("mtu", "int", { default: "1500", min: 0, max: 65535 }),
      p("arp", "enum", {
        values: ["disabled", "enabled", "local-proxy-arp", "proxy-arp", "reply-only"],
        default: "enabled",
      }),
      p("disable-running-check", "bool", { default: "yes" }),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "mtu"],
  },
  // help.mikrotik.com "WireGuard"; print-outputs: `interface wireguard print terse`
  {
    path: "interface wireguard",
    phase: 1,
    interfaceMenu: true,
    nameProp: "name",
    props: [
      p("name", "string"),
      p("mtu", "int", { default: "1420", min: 0, max: 65535 }),
      p("listen-port", "int", { min: 1, max: 65535, always: true }),
      p("private-key", "key", { sensitive: true }),
      p("public-key", "key", { readOnly: true }),
      comment,
      disabled,
    ],
    flags: [XFLAG, ["R", "running", "yes"]],
    columns: ["name", "mtu", "listen-port"],
  },
  // help.mikrotik.com "BGP" (v7 template/connection); 01/03 exports: `set default as=65000`
  {
    path: "routing bgp template",
    phase: 1,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("as", "int", { min: 0, max: 4294967295 }),
      p("router-id", "string"),
      p("address-families", "list", { default: "ip" }),
      p("hold-time", "time", { default: "3m" }),
      p("keepalive-time", "time", { default: "1m" }),
      p("multihop", "bool", { default: "no" }),
      p("output.network", "string"),
      p("output.redistribute", "list"),
      p("output.default-originate", "enum", {
        values: ["always", "if-installed", "never"],
        default: "never",
      }),
      p("input.filter", "string"),
      p("output.filter-chain", "string"),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "as"],
  },
  // help.mikrotik.com "Routing ID"? (v7 `/routing id`); 01 export: `add id=… name=…`
  {
    path: "routing id",
    phase: 1,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("id", "ip"),
      p("select-dynamic-id", "list"),
      p("select-from-vrf", "string"),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "id"],
  },
  // help.mikrotik.com "OSPF" (v7: no default instance or area); 03/06/07 exports
  {
    path: "routing ospf instance",
    phase: 1,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("version", "enum", { values: ["2", "3"], default: "2" }),
      p("vrf", "string", { default: "main" }),
      p("router-id", "string", { default: "main" }),
      p("originate-default", "enum", { values: ["always", "if-installed", "never"] }),
      p("redistribute", "list"),
      p("routing-table", "string"),
      p("in-filter-chain", "string"),
      p("out-filter-chain", "string"),
      comment,
      disabledAlways,
    ],
    flags: [XFLAG],
    columns: ["name", "version", "router-id"],
  },
  {
    path: "routing ospf area",
    phase: 1,
    nameProp: "name",
    required: ["name", "instance"],
    props: [
      p("name", "string"),
      p("instance", "string"),
      p("area-id", "ip", { default: "0.0.0.0" }),
      p("type", "enum", { values: ["default", "nssa", "stub"], default: "default" }),
      p("default-cost", "int", { min: 0, max: 4294967295 }),
      p("no-summaries", "flag"),
      comment,
      disabledAlways,
    ],
    flags: [XFLAG],
    columns: ["name", "instance", "area-id"],
  },
  // help.mikrotik.com "WireGuard": peers
  {
    path: "interface wireguard peers",
    phase: 2,
    required: ["interface", "public-key"],
    props: [
      p("name", "string"),
      p("interface", "interface"),
      p("public-key", "key"),
      p("preshared-key", "key", { sensitive: true }),
      p("allowed-address", "list"),
      p("endpoint-address", "string", { default: "" }),
      p("endpoint-port", "int", { default: "0", min: 0, max: 65535 }),
      p("persistent-keepalive", "time", { default: "0s" }),
      p("responder", "bool", { default: "no" }),
      // runtime values (print-outputs `interface wireguard peers print terse`): only with a backing
      p("current-endpoint-address", "ip", { readOnly: true }),
      p("current-endpoint-port", "int", { readOnly: true }),
      p("rx", "int", { readOnly: true }),
      p("tx", "int", { readOnly: true }),
      p("last-handshake", "time", { readOnly: true }),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["interface", "public-key", "endpoint-address", "endpoint-port", "allowed-address"],
  },
  // help.mikrotik.com "IP Addressing"; print-outputs `ip address print`, 01/03/06 exports (network=)
  {
    path: "ip address",
    phase: 2,
    required: ["address", "interface"],
    props: [
      p("address", "prefix"),
      p("network", "ip", { always: true }),
      p("interface", "interface"),
      comment,
      disabled,
    ],
    flags: [XFLAG, ["I", "invalid", "yes"], ["D", "dynamic", "yes"]],
    columns: ["address", "network", "interface"],
  },
  // help.mikrotik.com "DNS": the resolver's settings (`/ip dns set servers=… allow-remote-requests=…`)
  {
    path: "ip dns",
    singleton: true,
    phase: 2,
    props: [
      p("servers", "list", { default: "" }),
      p("allow-remote-requests", "bool", { default: "no" }),
      p("max-udp-packet-size", "int", { default: "4096", min: 50, max: 65507 }),
      p("query-server-timeout", "time", { default: "2s" }),
      p("query-total-timeout", "time", { default: "10s" }),
      p("max-concurrent-queries", "int", { default: "100", min: 0, max: 4294967295 }),
      p("max-concurrent-tcp-sessions", "int", { default: "20", min: 0, max: 4294967295 }),
      p("cache-size", "string", { default: "2048KiB" }),
      p("cache-max-ttl", "time", { default: "1w" }),
      p("use-doh-server", "string", { default: "" }),
      p("verify-doh-cert", "bool", { default: "no" }),
      p("dynamic-servers", "list", { readOnly: true }),
      p("cache-used", "string", { readOnly: true }),
    ],
  },
  // help.mikrotik.com "Filter"; 01 export `/ip firewall filter add action=… chain=…`
  {
    path: "ip firewall filter",
    phase: 2,
    required: ["chain"],
    props: [
      p("chain", "string"),
      p("action", "enum", {
        values: [
          "accept",
          "add-dst-to-address-list",
          "add-src-to-address-list",
          "drop",
          "fasttrack-connection",
          "jump",
          "log",
          "passthrough",
          "reject",
          "return",
          "tarpit",
        ],
        default: "accept",
        always: true,
      }),
      p("protocol", "string"),
      p("src-address", "string"),
      p("dst-address", "string"),
      p("src-address-list", "string"),
      p("dst-address-list", "string"),
      p("in-interface", "string"),
      p("out-interface", "string"),
      p("in-interface-list", "string"),
      p("out-interface-list", "string"),
      p("src-port", "string"),
      p("dst-port", "string"),
      p("port", "string"),
      p("connection-state", "list"),
      p("jump-target", "string"),
      p("reject-with", "string"),
      p("log", "bool", { default: "no" }),
      p("log-prefix", "string", { default: "" }),
      comment,
      disabled,
    ],
    flags: [XFLAG, ["I", "invalid", "yes"], ["D", "dynamic", "yes"]],
    columns: ["chain", "action", "protocol", "dst-port"],
  },
  // help.mikrotik.com "IP Routing"; print-outputs `ip route print detail`; 01 export (disabled=no)
  {
    path: "ip route",
    phase: 2,
    props: [
      p("dst-address", "prefix", { default: "0.0.0.0/0", always: true }),
      p("gateway", "string"),
      p("distance", "int", { default: "1", min: 1, max: 255 }),
      p("scope", "int", { default: "30", min: 0, max: 255 }),
      p("target-scope", "int", { default: "10", min: 0, max: 255 }),
      p("routing-table", "string", { default: "main" }),
      p("pref-src", "string"),
      p("check-gateway", "enum", { values: ["arp", "bfd", "bfd-multihop", "none", "ping"] }),
      p("blackhole", "flag"),
      comment,
      disabledAlways,
    ],
    // v7's letters and order (D dynamic; X disabled, A active; c connect, s static, b bgp, o ospf):
    // a learnt route prints `DAo`, a connected one `DAc`, a static one `As`
    // (rickfreyconsulting.com "ROSv6/7 Routing Flags"; help.ictadmins.com's v7 `/ip/route print`)
    flags: [
      ["D", "dynamic", "yes"],
      XFLAG,
      ["A", "active", "yes"],
      ["c", "connect", "yes"],
      ["s", "static", "yes"],
      ["b", "bgp", "yes"],
      ["o", "ospf", "yes"],
    ],
    columns: ["dst-address", "gateway", "distance"],
  },
  // help.mikrotik.com "IPv6 Addressing"; 07 export `add address=… advertise=no interface=…`
  {
    path: "ipv6 address",
    phase: 2,
    required: ["address", "interface"],
    props: [
      p("address", "ip6prefix"),
      p("interface", "interface"),
      p("advertise", "bool", { default: "yes" }),
      p("eui-64", "bool", { default: "no" }),
      p("no-dad", "bool", { default: "no" }),
      p("from-pool", "string"),
      comment,
      disabled,
    ],
    flags: [XFLAG, ["I", "invalid", "yes"], ["D", "dynamic", "yes"]],
    columns: ["address", "interface", "advertise"],
  },
  // help.mikrotik.com "BGP"; 03 export: `local.address=… .role=ibgp … remote.address=… .as=…`
  {
    path: "routing bgp connection",
    phase: 2,
    nameProp: "name",
    required: ["name", "local.role"],
    props: [
      p("name", "string"),
      p("as", "int", { min: 0, max: 4294967295 }),
      p("connect", "bool"),
      p("listen", "bool"),
      p("local.address", "string"),
      p("local.role", "enum", {
        values: [
          "ebgp",
          "ebgp-customer",
          "ebgp-peer",
          "ebgp-provider",
          "ebgp-rs",
          "ebgp-rs-client",
          "ibgp",
          "ibgp-rr",
          "ibgp-rr-client",
        ],
      }),
      p("remote.address", "string"),
      p("remote.as", "int", { min: 0, max: 4294967295 }),
      p("remote.port", "int", { min: 0, max: 65535 }),
      p("templates", "list"),
      p("router-id", "string"),
      p("routing-table", "string"),
      p("vrf", "string"),
      p("multihop", "bool"),
      p("hold-time", "time"),
      p("keepalive-time", "time"),
      p("tcp-md5-key", "string", { sensitive: true }),
      p("output.network", "string"),
      p("output.redistribute", "list"),
      p("output.default-originate", "enum", { values: ["always", "if-installed", "never"] }),
      p("output.filter-chain", "string"),
      p("input.filter", "string"),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "remote.address", "remote.as", "local.role"],
  },
  // help.mikrotik.com "OSPF"; 01/03/06/07 exports: `add area=… disabled=no interfaces=… networks=…`
  {
    path: "routing ospf interface-template",
    phase: 2,
    required: ["area"],
    props: [
      p("area", "string"),
      p("interfaces", "interfaces"),
      p("networks", "list"),
      p("cost", "int", { default: "1", min: 1, max: 65535 }),
      p("priority", "int", { default: "128", min: 0, max: 255 }),
      p("hello-interval", "time", { default: "10s" }),
      p("dead-interval", "time", { default: "40s" }),
      p("retransmit-interval", "time", { default: "5s" }),
      p("transmit-delay", "time", { default: "1s" }),
      p("type", "enum", {
        values: ["broadcast", "nbma", "ptmp", "ptmp-broadcast", "ptp", "ptp-unnumbered", "virtual-link"],
        default: "broadcast",
      }),
      p("passive", "flag"),
      p("auth", "enum", { values: ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "simple"] }),
      p("auth-key", "string", { sensitive: true }),
      p("auth-id", "int", { min: 0, max: 255 }),
      comment,
      disabledAlways,
    ],
    flags: [XFLAG],
    columns: ["area", "interfaces", "networks", "cost"],
  },
  // 01/03/06 exports: `/system identity` `set name=…`
  {
    path: "system identity",
    singleton: true,
    phase: 2,
    props: [p("name", "string", { default: "MikroTik" })],
  },
  // help.mikrotik.com "Scheduler"; 01 export `add interval=… name=… on-event=… policy=… start-date=… start-time=…`
  {
    path: "system scheduler",
    phase: 2,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("interval", "time", { default: "0s" }),
      p("on-event", "string", { default: "" }),
      p("policy", "list", { default: SCRIPT_POLICY, always: true }),
      p("start-date", "string"),
      p("start-time", "string", { default: "startup" }),
      p("run-count", "int", { readOnly: true }),
      p("next-run", "string", { readOnly: true }),
      p("owner", "string", { readOnly: true }),
      comment,
      disabled,
    ],
    flags: [XFLAG],
    columns: ["name", "start-date", "start-time", "interval", "on-event", "run-count"],
  },
  // help.mikrotik.com "Scripting" (script repository); 01 export `add dont-require-permissions=… name=… owner=… policy=… source=…`
  {
    path: "system script",
    phase: 2,
    nameProp: "name",
    required: ["name"],
    props: [
      p("name", "string"),
      p("dont-require-permissions", "bool", { default: "no", always: true }),
      p("owner", "string", { always: true }),
      p("policy", "list", { default: SCRIPT_POLICY, always: true }),
      p("source", "string", { default: "" }),
      p("run-count", "int", { readOnly: true }),
      comment,
    ],
    columns: ["name", "owner", "run-count"],
  },
  // help.mikrotik.com "Interface": every interface, whatever its kind (print-outputs `interface print detail`)
  {
    path: "interface",
    phase: 2,
    noExport: true,
    view: true,
    nameProp: "name",
    props: [
      p("name", "string"),
      p("default-name", "string", { readOnly: true }),
      p("type", "string", { readOnly: true }),
      p("mtu", "string"),
      comment,
      disabled,
    ],
    flags: [XFLAG, ["R", "running", "yes"]],
    columns: ["name", "type", "mtu"],
  },
  // help.mikrotik.com "OSPF" (neighbor); print-outputs `routing ospf neighbor print` and `… print
  // terse`: the fields and their order (`area` from the v7 docs' neighbour properties). Read only:
  // the rows come from the backing's daemon (none without one).
  {
    path: "routing ospf neighbor",
    phase: 2,
    noExport: true,
    view: true,
    operational: true,
    props: [
      p("instance", "interface", { readOnly: true }),
      p("area", "interface", { readOnly: true }),
      p("router-id", "ip", { readOnly: true }),
      p("address", "ip", { readOnly: true }),
      p("interface", "interface", { readOnly: true }),
      p("priority", "int", { readOnly: true }),
      p("dr-address", "ip", { readOnly: true }),
      p("backup-dr-address", "ip", { readOnly: true }),
      p("state", "string", { readOnly: true }),
      p("state-changes", "int", { readOnly: true }),
      p("adjacency", "time", { readOnly: true }),
    ],
    columns: ["instance", "area", "address", "router-id", "state", "state-changes"],
  },
  // help.mikrotik.com "BGP" (v7 `/routing bgp session`: "Flags: E - established"; remote.*,
  // local.*, uptime). Read only: the rows come from the backing's daemon (none without one).
  {
    path: "routing bgp session",
    phase: 2,
    noExport: true,
    view: true,
    operational: true,
    nameProp: "name",
    props: [
      p("name", "string", { readOnly: true }),
      p("remote.address", "ip", { readOnly: true }),
      p("remote.as", "int", { readOnly: true }),
      p("remote.id", "ip", { readOnly: true }),
      p("local.role", "interface", { readOnly: true }),
      p("local.address", "ip", { readOnly: true }),
      p("local.as", "int", { readOnly: true }),
      p("uptime", "time", { readOnly: true }),
    ],
    flags: [["E", "established", "yes"]],
    columns: ["name", "remote.address", "remote.as", "local.role", "uptime"],
  },
  // help.mikrotik.com "Resource": read only (netmiko's capture of `/system resource print`)
  {
    path: "system resource",
    singleton: true,
    view: true,
    phase: 2,
    noExport: true,
    props: [
      p("uptime", "string", { readOnly: true }),
      p("version", "string", { readOnly: true }),
      p("board-name", "string", { readOnly: true }),
      p("architecture-name", "string", { readOnly: true }),
      p("platform", "string", { readOnly: true }),
    ],
  },
  // help.mikrotik.com "Clock": `/system clock` time and date (ISO dates from 7.10, as the export
  // header and the scheduler's start-date); read only here (no time zone: UTC).
  {
    path: "system clock",
    singleton: true,
    view: true,
    phase: 2,
    noExport: true,
    props: [
      p("time", "string", { readOnly: true }),
      p("date", "string", { readOnly: true }),
      p("time-zone-name", "string", { readOnly: true }),
    ],
  },
  // help.mikrotik.com "Files": not part of the configuration
  {
    path: "file",
    phase: 2,
    noExport: true,
    nameProp: "name",
    props: [
      p("name", "string"),
      p("type", "string", { readOnly: true }),
      p("size", "string", { readOnly: true }),
      p("creation-time", "string", { readOnly: true }),
      p("contents", "string"),
    ],
    columns: ["name", "type", "size", "creation-time"],
  },
];

export const MENU_BY_PATH = new Map(MENUS.map((m) => [m.path, m]));

/** Every prefix of a menu path ("ip", "ip firewall", "routing ospf", …). */
export const PATH_NODES = new Set<string>(
  MENUS.flatMap((m) => m.path.split(" ").map((_, i, a) => a.slice(0, i + 1).join(" "))),
);

export function prop(menu: Menu, name: string): Prop | undefined {
  return menu.props.find((x) => x.name === name);
}

/** The export order: phase 1 in table order, then phase 2 by path (as the reference exports show). */
export function exportOrder(): Menu[] {
  const one = MENUS.filter((m) => m.phase === 1 && !m.noExport);
  const two = MENUS.filter((m) => m.phase === 2 && !m.noExport).sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  return [...one, ...two];
}
