// The entities the simulated ogcli knows: their paths, fields, types and allowed values. Field
// names and enums come from Opengear's REST API description (om-rest-api-v2.2: ports, conns,
// failover/settings, failover/status, users, groups, system/hostname) and from the opengear.om
// Ansible collection's argument specs (services/snmpd, physifs); see the README per entity.

export type Field =
  | { t: "string"; enum?: readonly string[]; check?: (v: string) => boolean; secret?: boolean; ro?: boolean }
  | { t: "bool"; ro?: boolean }
  | { t: "int"; min?: number; max?: number; ro?: boolean }
  | { t: "array"; of: Field | Fields; ro?: boolean }
  | { t: "object"; fields: Fields; ro?: boolean };
export type Fields = { [k: string]: Field };

export interface Entity {
  /** Key in the store. */
  key: string;
  /** Path of the whole entity: a list (`ports`) or a singleton (`failover/settings`). */
  path: string;
  /** Path of one item of a list (`port`). */
  item?: string;
  kind: "singleton" | "list";
  fields: Fields;
  /** List ids: `<prefix>-<n>` (ports-1, users-2, system_net_conns-1). */
  idPrefix?: string;
  /** A field that identifies an item as well as its id (`ogcli get user netops`). */
  nameField?: string;
  /** Items are hardware: no create, no delete (serial ports, physical interfaces). */
  fixed?: boolean;
  /** A view: get only (failover/status). */
  readOnly?: boolean;
  /** Fields create needs. */
  required?: string[];
}

const str = (extra: Partial<Extract<Field, { t: "string" }>> = {}): Field => ({ t: "string", ...extra });
const bool: Field = { t: "bool" };
const ipv4 = (v: string) =>
  v === "" || /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(v);
const cidr = (v: string) => {
  const [a, l, ...rest] = v.split("/");
  if (rest.length || !a || l === undefined || !/^\d{1,3}$/.test(l)) return false;
  return a.includes(":") ? Number(l) <= 128 && /^[0-9a-fA-F:]+$/.test(a) : ipv4(a) && Number(l) <= 32;
};
const host = (v: string) => v === "" || ipv4(v) || /^[0-9a-fA-F:]+$/.test(v) || /^[A-Za-z0-9.-]+$/.test(v);
const wgKey = (v: string) => v === "" || /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw480]=$/.test(v);

// Serial settings are strings (API: "baudrate": "9600"); the usual rates of the port menus.
export const BAUD_RATES = [
  "50", "75", "110", "134", "150", "200", "300", "600", "1200", "1800", "2400", "4800",
  "9600", "19200", "38400", "57600", "115200", "230400",
] as const; // biome-ignore format: one table

export const ENTITIES: readonly Entity[] = [
  {
    key: "hostname",
    path: "system/hostname",
    kind: "singleton",
    fields: { hostname: str({ check: (v) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/.test(v) }) },
  },
  {
    // Published provisioning scripts: `ogcli update system/admin_info 'contact="…"'` and
    // `'location="…"'`; a parser of the box's config dump reads its hostname. The hostname is the
    // box's one (system/hostname): the two entities show and set the same value.
    key: "admin_info",
    path: "system/admin_info",
    kind: "singleton",
    fields: {
      hostname: str({ check: (v) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/.test(v) }),
      contact: str(),
      location: str(),
    },
  },
  {
    key: "ports",
    path: "ports",
    item: "port",
    kind: "list",
    idPrefix: "ports",
    fixed: true,
    fields: {
      id: str({ ro: true }),
      label: str(),
      mode: str({ enum: ["disabled", "consoleServer", "localConsole"] }),
      baudrate: str({ enum: BAUD_RATES }),
      databits: str({ enum: ["5", "6", "7", "8"] }),
      parity: str({ enum: ["none", "odd", "even", "mark", "space"] }),
      stopbits: str({ enum: ["1", "1.5", "2"] }),
      pinout: str({ enum: ["X1", "X2", "USB"] }),
      escape_char: str({ check: (v) => v.length <= 1 }),
      logging_level: str({
        enum: ["disabled", "eventsOnly", "eventsAndReceivedCharacters", "eventsAndAllCharacters"],
      }),
      terminal_emulation: str(),
      kernel_debug: bool,
      ip_alias: {
        t: "array",
        of: { id: str({ ro: true }), ipaddress: str({ check: cidr }), interface: str() },
      },
      status: str({ ro: true }),
      available_pinouts: { t: "array", of: str(), ro: true },
      sessions: { t: "array", of: { username: str(), client_pid: { t: "int" } }, ro: true },
    },
  },
  {
    key: "physifs",
    path: "physifs",
    item: "physif",
    kind: "list",
    idPrefix: "system_net_physifs",
    nameField: "name",
    fixed: true,
    fields: {
      id: str({ ro: true }),
      name: str({ ro: true }),
      media: str({ ro: true }),
      description: str(),
      enabled: bool,
      mtu: { t: "int", min: 68, max: 9000 },
      cellular_settings: { t: "object", fields: { apn: str(), sim: str({ enum: ["1", "2"] }) } },
    },
  },
  {
    key: "conns",
    path: "conns",
    item: "conn",
    kind: "list",
    idPrefix: "system_net_conns",
    nameField: "name",
    required: ["physif", "mode"],
    fields: {
      id: str({ ro: true }),
      name: str(),
      description: str(),
      physif: str(),
      mode: str({ enum: ["static", "dhcp", "ipv6_static", "ipv6_automatic"] }),
      ipv4_static_settings: {
        t: "object",
        fields: {
          address: str({ check: ipv4 }),
          netmask: str({ check: ipv4 }),
          gateway: str({ check: ipv4 }),
          broadcast: str({ check: ipv4 }),
          dns1: str({ check: host }),
          dns2: str({ check: host }),
        },
      },
      ipv6_static_settings: {
        t: "object",
        fields: { address: str(), prefix_length: str(), gateway: str(), dns1: str(), dns2: str() },
      },
    },
  },
  {
    key: "failover_settings",
    path: "failover/settings",
    kind: "singleton",
    fields: {
      enabled: bool,
      probe_physif: str(),
      probe_address: str({ check: host }),
      probe_address_2: str({ check: host }),
      failover_physif: str(),
    },
  },
  {
    key: "failover_status",
    path: "failover/status",
    kind: "singleton",
    readOnly: true,
    fields: {
      status: str({
        ro: true,
        enum: [
          "primary_starting",
          "primary_complete",
          "primary_stopping",
          "failover_starting",
          "failover_complete",
          "failover_stopping",
          "disabled",
          "unknown",
        ],
      }),
    },
  },
  {
    key: "snmpd",
    path: "services/snmpd",
    kind: "singleton",
    fields: {
      enabled: bool,
      port: { t: "int", min: 1, max: 65535 },
      protocol: str({ enum: ["UDP", "TCP"] }),
      enable_legacy_versions: bool,
      enable_secure_snmp: bool,
      rocommunity: str({ secret: true }),
      rwcommunity: str({ secret: true }),
      security_level: str({ enum: ["noAuthNoPriv", "authNoPriv", "authPriv"] }),
      security_name: str(),
      engine_id: str({ check: (v) => v === "" || /^(0x)?[0-9a-fA-F]{10,64}$/.test(v) }),
      // in the field list of a published script reading /api/v2/services/snmpd from real boxes
      auth_use_plaintext: bool,
      priv_use_plaintext: bool,
      auth_protocol: str({ enum: ["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"] }),
      auth_password: str({ secret: true, check: (v) => v === "" || v.length >= 8 }),
      priv_protocol: str({ enum: ["DES", "AES", "AES-192", "AES-256"] }),
      priv_password: str({ secret: true, check: (v) => v === "" || v.length >= 8 }),
    },
  },
  {
    key: "users",
    path: "users",
    item: "user",
    kind: "list",
    idPrefix: "users",
    nameField: "username",
    required: ["username"],
    fields: {
      id: str({ ro: true }),
      username: str({ check: (v) => /^[a-z_][a-z0-9_.-]{0,31}$/.test(v) }),
      description: str(),
      enabled: bool,
      groups: { t: "array", of: str() },
      hashed_password: str({ secret: true }),
      password: str({ secret: true }),
      no_password: bool,
      ssh_password_enabled: bool,
    },
  },
  {
    key: "groups",
    path: "groups",
    item: "group",
    kind: "list",
    idPrefix: "groups",
    nameField: "groupname",
    required: ["groupname"],
    fields: {
      id: str({ ro: true }),
      groupname: str({ check: (v) => /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(v) }),
      description: str(),
      enabled: bool,
      mode: str({ enum: ["global", "scoped"] }),
      role: str({ enum: ["Administrator", "ConsoleUser"] }),
      ports: { t: "array", of: str() },
    },
  },
  {
    // No public description of OM WireGuard in ogcli was found: modelled in ogcli's style (a
    // list, item ids wireguards-N, the interface name as natural id); see the README.
    key: "wireguards",
    path: "wireguards",
    item: "wireguard",
    kind: "list",
    idPrefix: "wireguards",
    nameField: "name",
    required: ["name"],
    fields: {
      id: str({ ro: true }),
      name: str({ check: (v) => /^[a-z][a-z0-9_-]{0,14}$/.test(v) }),
      description: str(),
      enabled: bool,
      private_key: str({ secret: true, check: wgKey }),
      public_key: str({ ro: true }),
      listen_port: { t: "int", min: 0, max: 65535 },
      mtu: { t: "int", min: 0, max: 9000 },
      addresses: { t: "array", of: str({ check: cidr }) },
      peers: {
        t: "array",
        of: {
          description: str(),
          public_key: str({ check: (v) => v !== "" && wgKey(v) }),
          preshared_key: str({ secret: true, check: wgKey }),
          endpoint_address: str({ check: host }),
          endpoint_port: { t: "int", min: 0, max: 65535 },
          allowed_ips: { t: "array", of: str({ check: cidr }) },
          persistent_keepalive: { t: "int", min: 0, max: 65535 },
        },
      },
    },
  },
];

export function entityByPath(path: string): Entity | undefined {
  return ENTITIES.find((e) => e.path === path || e.item === path);
}

/** Every secret field path of an entity (dotted, arrays as []), for masking. */
export function isSecretField(f: Field | Fields): boolean {
  return "t" in f && f.t === "string" && f.secret === true;
}
