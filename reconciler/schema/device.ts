// desired/<device>.yaml: the desired state of one device, vendor-neutral where the concept is
// shared. Which sections a platform manages is a semantic check (drivers/<platform>/descriptor.ts).
import { type Static, Type } from "@sinclair/typebox";
import {
  AreaId,
  Description,
  DeviceName,
  EnvVarName,
  Hostname,
  Identifier,
  InterfaceAddress,
  InterfaceName,
  IpAddress,
  IpPrefix,
  Ipv4Address,
  List,
  Obj,
  Port,
  Seconds,
  SshPublicKey,
  WireguardPublicKey,
} from "./primitives.ts";

const oneOf = <T extends string>(values: readonly T[], what: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description: `${what}: one of ${values.join(", ")}` },
  );

export const Mtu = Type.Integer({ description: "an MTU, 576..9216", minimum: 576, maximum: 9216 });

export const NetInterface = Obj(
  {
    name: InterfaceName,
    kind: oneOf(["loopback", "dummy", "ethernet", "vlan", "bridge"] as const, "an interface kind"),
    addresses: Type.Optional(List(InterfaceAddress, 256)),
    mtu: Type.Optional(Mtu),
    description: Type.Optional(Description),
    vlan: Type.Optional(
      Obj({
        parent: InterfaceName,
        id: Type.Integer({ description: "a VLAN id, 1..4094", minimum: 1, maximum: 4094 }),
      }),
    ),
  },
  "an interface",
);

/** host:port, with IPv6 hosts in brackets, as WireGuard writes endpoints. */
export const WireguardEndpoint = Type.String({
  description: "an endpoint host:port such as 198.51.100.1:51820 or [2001:db8::1]:51820",
  format: "wg-endpoint",
  maxLength: 260,
});

export const WireguardPeer = Obj(
  {
    public_key: WireguardPublicKey,
    description: Type.Optional(Description),
    endpoint: Type.Optional(WireguardEndpoint),
    allowed_ips: List(IpPrefix, 1024),
    persistent_keepalive: Type.Optional(Seconds(65535, "a keepalive interval")),
    preshared_key_env: Type.Optional(EnvVarName),
  },
  "a WireGuard peer",
);

export const WireguardInterface = Obj(
  {
    name: InterfaceName,
    listen_port: Type.Optional(Port),
    addresses: Type.Optional(List(InterfaceAddress, 64)),
    mtu: Type.Optional(Mtu),
    /** wg-quick's Table: "off" leaves routing to the routing daemon, which is what a mesh wants. */
    table: Type.Optional(oneOf(["off", "auto"] as const, "the routing table for allowed IPs")),
    description: Type.Optional(Description),
    peers: List(WireguardPeer, 4096),
  },
  "a WireGuard interface",
);

export const OSPF_NETWORK_TYPES = ["ptp", "broadcast", "nbma", "ptmp"] as const;
const OspfTimer = (what: string) => Seconds(65535, what);

export const OspfAuthentication = Obj(
  {
    type: oneOf(["none", "simple", "cryptographic"] as const, "an OSPF authentication type"),
    key_id: Type.Optional(Type.Integer({ description: "a key id, 1..255", minimum: 1, maximum: 255 })),
    password_env: Type.Optional(EnvVarName),
  },
  "OSPF authentication (the password comes from an environment variable, never from git)",
);

/** The per-interface OSPF parameters; links use the same fields. */
export const OspfInterfaceParams = {
  type: Type.Optional(oneOf(OSPF_NETWORK_TYPES, "an OSPF network type")),
  cost: Type.Optional(Type.Integer({ description: "an OSPF cost, 1..65535", minimum: 1, maximum: 65535 })),
  hello: Type.Optional(OspfTimer("a hello interval")),
  dead: Type.Optional(OspfTimer("a dead interval")),
  retransmit: Type.Optional(OspfTimer("a retransmit interval")),
  wait: Type.Optional(OspfTimer("a wait interval")),
  authentication: Type.Optional(OspfAuthentication),
};

export const OspfInterface = Obj(
  {
    name: InterfaceName,
    passive: Type.Optional(
      Type.Boolean({ description: "true to advertise the interface without forming adjacencies" }),
    ),
    ...OspfInterfaceParams,
  },
  "an OSPF interface",
);

export const OspfArea = Obj(
  {
    id: AreaId,
    stub: Type.Optional(Type.Boolean()),
    interfaces: Type.Optional(List(OspfInterface, 1024)),
    stub_networks: Type.Optional(List(IpPrefix, 1024)),
  },
  "an OSPF area",
);

export const OspfInstance = Obj(
  {
    name: Identifier,
    version: Type.Union([Type.Literal(2), Type.Literal(3)], { description: "the OSPF version: 2 or 3" }),
    /** OSPFv3 carries IPv6 by default and IPv4 with RFC 5838 address families (bird supports both). */
    address_family: Type.Optional(oneOf(["ipv4", "ipv6"] as const, "an address family")),
    router_id: Type.Optional(Ipv4Address),
    redistribute: Type.Optional(List(oneOf(["connected", "static", "bgp"] as const, "a route source"), 3)),
    areas: List(OspfArea, 64),
  },
  "an OSPF instance",
);

export const Ospf = Obj(
  {
    router_id: Ipv4Address,
    instances: List(OspfInstance, 8),
  },
  "OSPF",
);

export const Asn = Type.Integer({
  description: "an AS number, 1..4294967295",
  minimum: 1,
  maximum: 4294967295,
});

export const BgpNeighbor = Obj(
  {
    address: IpAddress,
    remote_asn: Asn,
    description: Type.Optional(Description),
    update_source: Type.Optional(IpAddress),
    route_reflector_client: Type.Optional(Type.Boolean()),
    next_hop_self: Type.Optional(Type.Boolean()),
    password_env: Type.Optional(EnvVarName),
    address_families: Type.Optional(List(oneOf(["ipv4", "ipv6"] as const, "an address family"), 2)),
  },
  "a BGP neighbour",
);

export const Bgp = Obj(
  {
    asn: Asn,
    router_id: Type.Optional(Ipv4Address),
    cluster_id: Type.Optional(Ipv4Address),
    neighbors: List(BgpNeighbor, 4096),
    announce: Type.Optional(List(IpPrefix, 4096)),
  },
  "BGP",
);

export const StaticRoute = Obj(
  {
    prefix: IpPrefix,
    via: Type.Optional(IpAddress),
    interface: Type.Optional(InterfaceName),
    blackhole: Type.Optional(Type.Boolean()),
    distance: Type.Optional(
      Type.Integer({ description: "an administrative distance, 1..255", minimum: 1, maximum: 255 }),
    ),
    description: Type.Optional(Description),
  },
  "a static route: a prefix and one of via, interface or blackhole",
);

export const Forwarding = Obj(
  {
    ipv4: Type.Optional(Type.Boolean()),
    ipv6: Type.Optional(Type.Boolean()),
  },
  "IP forwarding",
);

/** A firewall address: any, an address, a prefix, or the name of an alias. */
export const FirewallAddress = Type.String({
  description: "'any', an IP address, a prefix such as 192.0.2.0/24, or the name of an alias",
  pattern: "^(any|[A-Za-z][A-Za-z0-9_-]{0,31}|[0-9a-fA-F:.]{2,45}(/[0-9]{1,3})?)$",
  maxLength: 49,
});

export const FirewallPort = Type.Union(
  [
    Port,
    Type.String({
      pattern: "^([0-9]{1,5}(-[0-9]{1,5})?|[A-Za-z][A-Za-z0-9_-]{0,31})$",
      maxLength: 32,
    }),
  ],
  { description: "a port such as 3389, a range such as 8000-8100, or the name of a port alias" },
);

export const FirewallAlias = Obj(
  {
    name: Identifier,
    type: oneOf(["host", "network", "port"] as const, "an alias type"),
    content: List(
      Type.Union([Port, Type.String({ pattern: "^[0-9a-fA-F:./-]{1,49}$", maxLength: 49 })], {
        description: "an address, a prefix, a port or a port range",
      }),
      4096,
    ),
    description: Type.Optional(Description),
  },
  "a firewall alias",
);

export const FirewallRule = Obj(
  {
    description: Description,
    action: oneOf(["pass", "block", "reject"] as const, "a firewall action"),
    interface: Type.Optional(InterfaceName),
    direction: Type.Optional(oneOf(["in", "out"] as const, "a direction")),
    ip_version: Type.Optional(oneOf(["ipv4", "ipv6", "any"] as const, "an IP version")),
    protocol: oneOf(["any", "tcp", "udp", "tcp/udp", "icmp", "icmpv6"] as const, "a protocol"),
    source: Type.Optional(FirewallAddress),
    destination: Type.Optional(FirewallAddress),
    destination_port: Type.Optional(FirewallPort),
    log: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
  },
  "a firewall rule",
);

export const Firewall = Obj(
  {
    aliases: Type.Optional(List(FirewallAlias, 1024)),
    rules: List(FirewallRule, 4096),
  },
  "firewall",
);

export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400] as const;

export const SerialPort = Obj(
  {
    port: Type.Integer({ description: "a serial port number, 1..96", minimum: 1, maximum: 96 }),
    label: Identifier,
    baud: Type.Union(
      BAUD_RATES.map((b) => Type.Literal(b)),
      { description: `a baud rate: one of ${BAUD_RATES.join(", ")}` },
    ),
    data_bits: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(8)], { description: "7 or 8" })),
    parity: Type.Optional(oneOf(["none", "even", "odd"] as const, "a parity")),
    stop_bits: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: "1 or 2" })),
    flow_control: Type.Optional(oneOf(["none", "hardware", "software"] as const, "a flow control")),
    mode: Type.Optional(oneOf(["console_server", "disabled"] as const, "a port mode")),
    connected_to: Type.Optional(DeviceName),
  },
  "a serial port",
);

export const CellularFailover = Obj(
  {
    enabled: Type.Boolean(),
    interface: Type.Optional(InterfaceName),
    probe_address: IpAddress,
    probe_interval_s: Type.Optional(Seconds(3600, "a probe interval")),
    failures_before_failover: Type.Optional(
      Type.Integer({ description: "a count of failed probes, 1..100", minimum: 1, maximum: 100 }),
    ),
  },
  "cellular failover with a ping watchdog",
);

export const SnmpV3User = Obj(
  {
    name: Identifier,
    auth_protocol: oneOf(["SHA", "SHA-256", "SHA-512"] as const, "an SNMPv3 authentication protocol"),
    auth_password_env: EnvVarName,
    privacy_protocol: oneOf(["AES", "AES-256"] as const, "an SNMPv3 privacy protocol"),
    privacy_password_env: EnvVarName,
  },
  "an SNMPv3 user (passwords come from environment variables)",
);

export const Snmp = Obj(
  {
    enabled: Type.Boolean(),
    location: Type.Optional(Description),
    contact: Type.Optional(Description),
    community_env: Type.Optional(EnvVarName),
    v3_users: Type.Optional(List(SnmpV3User, 64)),
    allowed_from: Type.Optional(List(IpPrefix, 64)),
  },
  "SNMP",
);

export const User = Obj(
  {
    name: Identifier,
    description: Type.Optional(Description),
    groups: Type.Optional(List(Identifier, 32)),
    ssh_authorized_keys: Type.Optional(List(SshPublicKey, 64)),
    password_hash_env: Type.Optional(EnvVarName),
    enabled: Type.Optional(Type.Boolean()),
  },
  "a local user",
);

export const ManagementVpn = Obj(
  {
    type: oneOf(["wireguard", "tailscale"] as const, "a VPN type"),
    interface: Type.Optional(InterfaceName),
    login_server: Type.Optional(Hostname),
    auth_key_env: Type.Optional(EnvVarName),
  },
  "the management VPN: a WireGuard interface of this device, or Tailscale",
);

/** Text inserted verbatim into a configuration file: several lines, no NUL, at most 64 kB. */
const RawText = Type.String({
  description: "configuration text without NUL characters, at most 65536 characters",
  pattern: "^[^\\u0000]*$",
  maxLength: 65536,
});

/** One CLI line: no NUL, CR or LF (a newline would start a second, unreviewed command). */
const RawLine = Type.String({
  description: "one command line without newlines or NUL, at most 4096 characters",
  pattern: "^[^\\u0000\\n\\r]+$",
  maxLength: 4096,
});

export const Raw = Obj(
  {
    bird: Type.Optional(RawText),
    frr: Type.Optional(RawText),
    routeros: Type.Optional(List(RawLine, 1024)),
    opnsense: Type.Optional(
      List(
        Obj({
          path: Type.String({
            description: "a config.xml path such as system/timezone",
            pattern: "^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z][A-Za-z0-9_]*)*$",
            maxLength: 256,
          }),
          value: Type.String({
            description: "a value of one line",
            pattern: "^[^\\u0000\\n\\r]*$",
            maxLength: 4096,
          }),
        }),
        1024,
      ),
    ),
    opengear: Type.Optional(
      List(
        Obj({
          entity: Type.String({
            description: "an ogcli entity such as system/timezone",
            pattern: "^[a-z][a-z0-9_]*(/[a-z0-9_]+)*$",
            maxLength: 128,
          }),
          values: Type.Record(
            Type.String({ pattern: "^[a-z][a-z0-9_.\\[\\]]{0,63}$" }),
            Type.String({ pattern: "^[^\\u0000\\n\\r]*$", maxLength: 1024 }),
            {
              "x-key": "an ogcli field name such as timezone or port[0].baudrate",
              additionalProperties: false,
            },
          ),
        }),
        1024,
      ),
    ),
  },
  "raw configuration for what is not modeled: bird, frr, routeros, opnsense or opengear",
);

export const DeviceIntent = Obj(
  {
    description: Type.Optional(Description),
    routing_daemon: Type.Optional(oneOf(["bird", "frr"] as const, "the routing daemon of a Debian router")),
    interfaces: Type.Optional(List(NetInterface, 1024)),
    wireguard: Type.Optional(List(WireguardInterface, 1024)),
    ospf: Type.Optional(Ospf),
    bgp: Type.Optional(Bgp),
    static_routes: Type.Optional(List(StaticRoute, 4096)),
    forwarding: Type.Optional(Forwarding),
    firewall: Type.Optional(Firewall),
    serial_ports: Type.Optional(List(SerialPort, 96)),
    cellular_failover: Type.Optional(CellularFailover),
    snmp: Type.Optional(Snmp),
    users: Type.Optional(List(User, 256)),
    management_vpn: Type.Optional(ManagementVpn),
    raw: Type.Optional(Raw),
  },
  "the desired state of a device",
);

export type DeviceIntent = Static<typeof DeviceIntent>;
export type NetInterface = Static<typeof NetInterface>;
export type WireguardInterface = Static<typeof WireguardInterface>;
export type WireguardPeer = Static<typeof WireguardPeer>;
export type Ospf = Static<typeof Ospf>;
export type OspfInstance = Static<typeof OspfInstance>;
export type OspfArea = Static<typeof OspfArea>;
export type OspfInterface = Static<typeof OspfInterface>;
export type Bgp = Static<typeof Bgp>;
export type BgpNeighbor = Static<typeof BgpNeighbor>;
export type StaticRoute = Static<typeof StaticRoute>;
export type Firewall = Static<typeof Firewall>;
export type FirewallRule = Static<typeof FirewallRule>;
export type SerialPort = Static<typeof SerialPort>;
export type Snmp = Static<typeof Snmp>;
export type User = Static<typeof User>;
