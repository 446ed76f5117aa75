// The store as the device exports it → the model, per entity (never per line). Each stanza is an
// entity keyed by what identifies it (its path and id, or the field that names it); entities the
// model maps become sections, the others are kept whole as unmanaged. Secrets were redacted on
// the device: a secret field only says that one is set. Pure.
import type {
  DeviceIntent,
  SerialPort,
  User,
  WireguardInterface,
  WireguardPeer,
} from "../../schema/device.ts";
import { arrayOf, fieldMap, type OgValue, type Stanza, text } from "./ogcli-format.ts";
import {
  ADMIN_INFO_PATH,
  FAILOVER_PATH,
  factoryLabel,
  MODE_FROM_OG,
  PORT_PATH,
  portNumber,
  SECRET_SET,
  SNMPD_PATH,
  USER_PATH,
  WIREGUARD_PATH,
} from "./vocabulary.ts";

export interface Entity {
  /** e.g. "port ports-1", "services/snmpd", "user netops", "wireguard wg-mgmt". */
  key: string;
  path: string;
  id?: string;
  fields: Map<string, OgValue>;
  stanza: Stanza;
}

export interface UnmanagedEntity {
  key: string;
  /** The stanza's fields as `key=value` (secrets already redacted on the device). */
  fields: Record<string, string>;
}

export interface OpengearLive {
  state: DeviceIntent;
  entities: Map<string, Entity>;
  unmanaged: UnmanagedEntity[];
  /** WireGuard public keys the store carries (the private key is never read). */
  publicKeys: Record<string, string>;
}

/** Singular path: the export may say `port` or `ports`, `user` or `users`. */
const singular = (path: string) =>
  path === "ports" ? "port" : path === "users" ? "user" : path === "wireguards" ? "wireguard" : path;

const NAMING_FIELD: Readonly<Record<string, string>> = { user: "username", wireguard: "name" };

export function entityKey(s: Stanza): string {
  const path = singular(s.path);
  const f = fieldMap(s.fields);
  const naming = NAMING_FIELD[path];
  const name = naming ? text(f.get(naming)) : undefined;
  if (name) return `${path} ${name}`;
  if (s.id !== undefined) return `${path} ${s.id}`;
  const any = text(f.get("name")) ?? text(f.get("id")) ?? text(f.get("address"));
  return any ? `${path} ${any}` : path;
}

/**
 * A list exported whole (`ogcli replace ports << 'END'` with `ports[0].label=...` lines) is one
 * stanza per item here, as if each were `ogcli update port "ports-1"`: the same entities whichever
 * way the firmware writes its lists (the documents show both shapes of command; neither says
 * which one export uses).
 */
export function splitLists(s: Stanza): Stanza[] {
  const prefix = `${s.path}[`;
  if (s.id !== undefined || s.fields.length === 0 || !s.fields.every((f) => f.key.startsWith(prefix)))
    return [s];
  const items = new Map<number, Stanza>();
  for (const f of s.fields) {
    const m = /^[^[]+\[(\d+)\]\.(.+)$/.exec(f.key);
    if (!m) continue;
    const i = Number(m[1]);
    if (!items.has(i)) items.set(i, { verb: "update", path: singular(s.path), fields: [], line: s.line });
    items.get(i)?.fields.push({ key: m[2] as string, value: f.value });
  }
  return [...items.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, item]) => {
      const id = text(fieldMap(item.fields).get("id"));
      return id ? { ...item, id } : item;
    });
}

/** The entities of an export; a key seen twice merges (a later update refines an earlier create). */
export function entitiesOf(stanzas: readonly Stanza[]): Map<string, Entity> {
  const out = new Map<string, Entity>();
  for (const s of stanzas.flatMap(splitLists)) {
    if (s.verb === "delete") continue;
    const key = entityKey(s);
    const have = out.get(key);
    if (have) for (const f of s.fields) have.fields.set(f.key, f.value);
    else
      out.set(key, {
        key,
        path: singular(s.path),
        ...(s.id !== undefined ? { id: s.id } : {}),
        fields: fieldMap(s.fields),
        stanza: s,
      });
  }
  return out;
}

const str = (f: Map<string, OgValue>, k: string) => text(f.get(k));
const bool = (f: Map<string, OgValue>, k: string) => text(f.get(k)) === "true";
const num = (f: Map<string, OgValue>, k: string) => {
  const t = text(f.get(k));
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
};
const hasSecret = (f: Map<string, OgValue>, k: string) => {
  const t = text(f.get(k));
  // The box redacted it (REDACTED) or printed something: either way one is set.
  return t !== undefined && t !== "" && t !== "[]";
};

/** The sub-records of an indexed list: `peers[0].x`, `peers[1].x` → one map per index, in order. */
export function indexed(f: ReadonlyMap<string, OgValue>, list: string): Map<string, OgValue>[] {
  const byIndex = new Map<number, Map<string, OgValue>>();
  const re = new RegExp(`^${list}\\[(\\d+)\\]\\.(.+)$`);
  for (const [k, v] of f) {
    const m = re.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    if (!byIndex.has(i)) byIndex.set(i, new Map());
    byIndex.get(i)?.set(m[2] as string, v);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);
}

function serialPort(e: Entity): SerialPort | "unmanaged" | undefined {
  const n = portNumber(e.id ?? str(e.fields, "id") ?? "");
  if (n === undefined) return "unmanaged";
  const label = str(e.fields, "label") ?? factoryLabel(n);
  const mode = MODE_FROM_OG[str(e.fields, "mode") ?? ""];
  if (!mode) return "unmanaged";
  // A port that still carries its factory label is one git has not described.
  if (label === factoryLabel(n)) return undefined;
  const p: Record<string, unknown> = { port: n, label, baud: num(e.fields, "baudrate") ?? 0 };
  const db = num(e.fields, "databits");
  const sb = num(e.fields, "stopbits");
  const parity = str(e.fields, "parity");
  if (db !== undefined) p.data_bits = db;
  if (parity) p.parity = parity;
  if (sb !== undefined) p.stop_bits = sb;
  p.mode = mode;
  return p as unknown as SerialPort;
}

function user(e: Entity): User {
  const f = e.fields;
  const groups = arrayOf(f, "groupNames");
  const u: User = { name: str(f, "username") ?? e.id ?? "" };
  const d = str(f, "description");
  if (d) u.description = d;
  const g = groups.length > 0 ? groups : arrayOf(f, "groups");
  if (g.length > 0) u.groups = g;
  if (f.has("enabled")) u.enabled = bool(f, "enabled");
  if (hasSecret(f, "hashed_password") || hasSecret(f, "password")) u.password_hash_env = SECRET_SET;
  return u;
}

function wireguard(e: Entity): WireguardInterface {
  const f = e.fields;
  const w: WireguardInterface = { name: str(f, "name") ?? e.id ?? "", peers: [] };
  const port = num(f, "listen_port");
  if (port !== undefined) w.listen_port = port;
  const addresses = arrayOf(f, "addresses");
  if (addresses.length > 0) w.addresses = addresses;
  const mtu = num(f, "mtu");
  if (mtu !== undefined) w.mtu = mtu;
  for (const p of indexed(f, "peers")) {
    const peer: WireguardPeer = {
      public_key: str(p, "public_key") ?? "",
      allowed_ips: arrayOf(p, "allowed_ips"),
    };
    // `endpoint`, or its two halves (endpoint_address, endpoint_port) as some tools write it.
    const addr = str(p, "endpoint_address");
    const ep =
      str(p, "endpoint") ||
      (addr ? `${addr.includes(":") ? `[${addr}]` : addr}:${num(p, "endpoint_port") ?? 51820}` : undefined);
    if (ep) peer.endpoint = ep;
    const ka = num(p, "persistent_keepalive");
    if (ka) peer.persistent_keepalive = ka;
    if (hasSecret(p, "preshared_key")) peer.preshared_key_env = SECRET_SET;
    w.peers.push(peer);
  }
  return w;
}

/** The model and the unmanaged remainder of a device's entities. */
export function liveFromEntities(entities: Map<string, Entity>): OpengearLive {
  const state: DeviceIntent = {};
  const unmanaged: UnmanagedEntity[] = [];
  const publicKeys: Record<string, string> = {};
  const ports: SerialPort[] = [];
  const users: User[] = [];
  const wgs: WireguardInterface[] = [];
  const admin = entities.get(ADMIN_INFO_PATH)?.fields;
  const foreign = (e: Entity) =>
    unmanaged.push({
      key: e.key,
      fields: Object.fromEntries([...e.fields].map(([k, v]) => [k, text(v) ?? ""])),
    });
  for (const e of entities.values()) {
    if (e.path === PORT_PATH) {
      const p = serialPort(e);
      if (p === "unmanaged") foreign(e);
      else if (p) ports.push(p);
    } else if (e.path === USER_PATH) users.push(user(e));
    else if (e.path === WIREGUARD_PATH) {
      const w = wireguard(e);
      wgs.push(w);
      const pk = str(e.fields, "public_key");
      if (pk) publicKeys[w.name] = pk;
    } else if (e.path === FAILOVER_PATH) {
      const f = e.fields;
      const probe = str(f, "probe_address") ?? "";
      if (bool(f, "enabled") || probe !== "") {
        state.cellular_failover = { enabled: bool(f, "enabled"), probe_address: probe };
        const physif = str(f, "failover_physif");
        if (physif) state.cellular_failover.interface = physif;
      }
    } else if (e.path === SNMPD_PATH) {
      const f = e.fields;
      const name = str(f, "security_name") ?? "";
      if (!bool(f, "enabled") && name === "") continue;
      state.snmp = { enabled: bool(f, "enabled") };
      const location = admin ? str(admin, "location") : undefined;
      const contact = admin ? str(admin, "contact") : undefined;
      if (location) state.snmp.location = location;
      if (contact) state.snmp.contact = contact;
      if (bool(f, "enable_legacy_versions") && hasSecret(f, "rocommunity"))
        state.snmp.community_env = SECRET_SET;
      if (
        name !== "" && f.get("enable_secure_snmp") !== undefined ? bool(f, "enable_secure_snmp") : name !== ""
      )
        state.snmp.v3_users = [
          {
            name,
            auth_protocol: (str(f, "auth_protocol") ?? "") as "SHA",
            auth_password_env: SECRET_SET,
            privacy_protocol: (str(f, "priv_protocol") ?? "") as "AES",
            privacy_password_env: SECRET_SET,
          },
        ];
    } else if (e.path !== ADMIN_INFO_PATH) foreign(e);
  }
  if (ports.length > 0) state.serial_ports = ports.sort((a, b) => a.port - b.port);
  // Sorted: the export's stanza order means nothing.
  if (users.length > 0) state.users = users.sort((a, b) => a.name.localeCompare(b.name));
  if (wgs.length > 0) state.wireguard = wgs.sort((a, b) => a.name.localeCompare(b.name));
  unmanaged.sort((a, b) => a.key.localeCompare(b.key));
  return { state, entities, unmanaged, publicKeys };
}
