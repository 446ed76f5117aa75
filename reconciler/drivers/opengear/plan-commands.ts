// The candidate of an Opengear box: the fewest ogcli commands that turn the live store into the
// desired state, one per entity that differs, carrying only the fields that differ, in an order
// that never cuts the reconciler's own path before the rest is done: contact details and users
// first, then the serial ports, SNMP, the management VPN (WireGuard, then Tailscale), the
// cellular failover last (its probe may run over the VPN). Ports git stopped describing get their
// factory label back, nothing else (a console is never switched off by omission). Secrets from
// the environment are `@secret:ENV@` placeholders (filled at stage, only for declared variables);
// a WireGuard private key is `@device-key:NAME@`, filled on the box from the key it generated.
// Pure.
import type { PlannedCommand } from "../../model/live.ts";
import type { DeviceIntent, SerialPort, WireguardInterface } from "../../schema/device.ts";
import type { Entity, OpengearLive } from "./live-state.ts";
import { normalizeOpengear, normalizePort } from "./normalize.ts";
import { type OgField, type OgValue, ogcliCommand, text } from "./ogcli-format.ts";
import {
  ADMIN_INFO_PATH,
  FAILOVER_PATH,
  factoryLabel,
  MODE_TO_OG,
  PORT_PATH,
  portId,
  SNMPD_PATH,
  USER_PATH,
  WIREGUARD_PATH,
} from "./vocabulary.ts";

export const secretPlaceholder = (env: string) => `@secret:${env}@`;
export const deviceKeyPlaceholder = (iface: string) => `@device-key:${iface}@`;

const s = (v: string): OgValue => ({ s: v });
const b = (v: boolean | number): OgValue => ({ bare: String(v) });
const same = (have: OgValue | undefined, want: OgValue) => have !== undefined && text(have) === text(want);

/** Only the fields whose value differs from what the entity holds (all of them when it is new). */
function changed(entity: Entity | undefined, want: readonly OgField[]): OgField[] {
  return entity ? want.filter((f) => !same(entity.fields.get(f.key), f.value)) : [...want];
}

const arrayFields = (key: string, items: readonly string[]): OgField[] =>
  items.length === 0
    ? [{ key, value: { bare: "[]" } }]
    : items.map((v, i) => ({ key: `${key}[${i}]`, value: s(v) }));

function portFields(p: SerialPort): OgField[] {
  const n = normalizePort(p);
  return [
    { key: "label", value: s(n.label) },
    { key: "mode", value: s(MODE_TO_OG[n.mode ?? "console_server"]) },
    { key: "baudrate", value: s(String(n.baud)) },
    { key: "databits", value: s(String(n.data_bits)) },
    { key: "parity", value: s(n.parity ?? "none") },
    { key: "stopbits", value: s(String(n.stop_bits)) },
  ];
}

function portCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const wanted = new Set<number>();
  for (const p of intent.serial_ports ?? []) {
    wanted.add(p.port);
    const id = portId(p.port);
    const entity = live.entities.get(`${PORT_PATH} ${id}`);
    if (!entity) throw new Error(`serial port ${p.port} (${id}) does not exist on this box`);
    const fields = changed(entity, portFields(p));
    if (fields.length > 0)
      out.push({
        line: ogcliCommand("update", PORT_PATH, id, fields),
        description: `serial port ${p.port} (${p.label}${p.connected_to ? `, console of ${p.connected_to}` : ""}): ${fields.map((f) => f.key).join(", ")}`,
      });
  }
  for (const p of live.state.serial_ports ?? []) {
    if (wanted.has(p.port)) continue;
    out.push({
      line: ogcliCommand("update", PORT_PATH, portId(p.port), [
        { key: "label", value: s(factoryLabel(p.port)) },
      ]),
      description: `serial port ${p.port} is no longer described: its factory label back (its serial settings stay)`,
    });
  }
}

function adminInfoCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const snmp = intent.snmp;
  if (!snmp) return;
  const want: OgField[] = [];
  if (snmp.location !== undefined) want.push({ key: "location", value: s(snmp.location) });
  if (snmp.contact !== undefined) want.push({ key: "contact", value: s(snmp.contact) });
  const fields = changed(live.entities.get(ADMIN_INFO_PATH) ?? emptyEntity(ADMIN_INFO_PATH), want);
  if (fields.length > 0)
    out.push({
      line: ogcliCommand("update", ADMIN_INFO_PATH, undefined, fields),
      description: `the box's SNMP ${fields.map((f) => f.key).join(" and ")}`,
    });
}

/** A singleton the export did not print: every field differs, but it is updated, never created. */
const emptyEntity = (path: string): Entity => ({
  key: path,
  path,
  fields: new Map(),
  stanza: { verb: "update", path, fields: [], line: 0 },
});

/**
 * "Authentication and privacy" in the box's own words: a provisioning script for real boxes
 * writes `priv`; a box that prints net-snmp's words (authPriv, authNoPriv, noAuthNoPriv) gets
 * `authPriv`.
 */
export function securityLevel(entity: Entity): string {
  const now = text(entity.fields.get("security_level")) ?? "";
  return /^(authPriv|authNoPriv|noAuthNoPriv)$/.test(now) ? "authPriv" : "priv";
}

function snmpCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const snmp = intent.snmp;
  if (!snmp) return;
  const entity = live.entities.get(SNMPD_PATH) ?? emptyEntity(SNMPD_PATH);
  const want: OgField[] = [{ key: "enabled", value: b(snmp.enabled) }];
  const v3 = snmp.v3_users?.[0];
  const newUser = v3 !== undefined && text(entity.fields.get("security_name")) !== v3.name;
  if (v3) {
    want.push(
      { key: "enable_secure_snmp", value: b(true) },
      { key: "security_level", value: s(securityLevel(entity)) },
      { key: "security_name", value: s(v3.name) },
      { key: "auth_protocol", value: s(v3.auth_protocol) },
      { key: "priv_protocol", value: s(v3.privacy_protocol) },
    );
  }
  const legacy = snmp.community_env !== undefined;
  want.push({ key: "enable_legacy_versions", value: b(legacy) });
  const fields = changed(entity, want);
  // A passphrase is sent when the user is new or anything of it changes: the box cannot say
  // whether the one it holds is the one git names.
  if (v3 && (newUser || fields.some((f) => f.key.endsWith("_protocol"))))
    fields.push(
      { key: "auth_password", value: s(secretPlaceholder(v3.auth_password_env)) },
      { key: "priv_password", value: s(secretPlaceholder(v3.privacy_password_env)) },
    );
  if (legacy && snmp.community_env && (fields.length > 0 || live.state.snmp?.community_env === undefined))
    fields.push({ key: "rocommunity", value: s(secretPlaceholder(snmp.community_env)) });
  if (fields.length > 0)
    out.push({
      line: ogcliCommand("update", SNMPD_PATH, undefined, fields),
      description: `SNMP agent${v3 ? ` (v3 user ${v3.name})` : ""}: ${fields.map((f) => f.key).join(", ")}`,
    });
}

function userCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  for (const u of intent.users ?? []) {
    const entity = live.entities.get(`${USER_PATH} ${u.name}`);
    const want: OgField[] = [
      { key: "username", value: s(u.name) },
      { key: "description", value: s(u.description ?? "") },
      { key: "enabled", value: b(u.enabled !== false) },
    ];
    let fields = changed(entity, want);
    const groupKey =
      entity && [...entity.fields.keys()].some((k) => k.startsWith("groupNames")) ? "groupNames" : "groups";
    const liveGroups = live.state.users?.find((x) => x.name === u.name)?.groups ?? [];
    const wantGroups = [...new Set(u.groups ?? [])].sort();
    if (!entity || wantGroups.join("\n") !== [...liveGroups].sort().join("\n"))
      fields.push(
        ...(entity
          ? arrayFields(groupKey, wantGroups)
          : wantGroups.length
            ? arrayFields("groups", wantGroups)
            : []),
      );
    if (
      u.password_hash_env &&
      (!entity || !live.state.users?.find((x) => x.name === u.name)?.password_hash_env)
    )
      fields.push({ key: "hashed_password", value: s(secretPlaceholder(u.password_hash_env)) });
    if (entity) fields = fields.filter((f) => f.key !== "username");
    if (fields.length === 0) continue;
    out.push({
      line: entity
        ? ogcliCommand("update", USER_PATH, entity.id ?? u.name, fields)
        : ogcliCommand("create", USER_PATH, undefined, fields),
      description: entity
        ? `user ${u.name}: ${fields
            .map((f) => f.key.replace(/\[\d+\]$/, ""))
            .filter((k, i, a) => a.indexOf(k) === i)
            .join(", ")}`
        : `add the user ${u.name}${wantGroups.length ? ` (${wantGroups.join(", ")})` : ""}`,
    });
  }
}

function wireguardFields(w: WireguardInterface): OgField[] {
  const n = normalizeOpengear({ wireguard: [w] }).wireguard?.[0] as WireguardInterface;
  const f: OgField[] = [
    { key: "name", value: s(w.name) },
    { key: "enabled", value: b(true) },
  ];
  if (n.listen_port !== undefined) f.push({ key: "listen_port", value: b(n.listen_port) });
  if (n.mtu !== undefined) f.push({ key: "mtu", value: b(n.mtu) });
  f.push(...arrayFields("addresses", n.addresses ?? []));
  n.peers.forEach((p, i) => {
    const at = `peers[${i}]`;
    f.push({ key: `${at}.public_key`, value: s(p.public_key) });
    // Opengear documents no WireGuard entity in ogcli (its REST description has none): the
    // endpoint is written in two halves, as the simulator models it; the read accepts either form.
    const ep = p.endpoint ? /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(p.endpoint) : null;
    if (ep) {
      f.push({ key: `${at}.endpoint_address`, value: s(ep[1] ?? ep[2] ?? "") });
      f.push({ key: `${at}.endpoint_port`, value: b(Number(ep[3])) });
    } else if (p.endpoint) f.push({ key: `${at}.endpoint`, value: s(p.endpoint) });
    f.push(...arrayFields(`${at}.allowed_ips`, p.allowed_ips));
    if (p.persistent_keepalive)
      f.push({ key: `${at}.persistent_keepalive`, value: b(p.persistent_keepalive) });
    const psk = w.peers.find((x) => x.public_key === p.public_key)?.preshared_key_env;
    if (psk) f.push({ key: `${at}.preshared_key`, value: s(secretPlaceholder(psk)) });
  });
  return f;
}

function wireguardCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const have = normalizeOpengear(live.state).wireguard ?? [];
  for (const w of intent.wireguard ?? []) {
    const entity = live.entities.get(`${WIREGUARD_PATH} ${w.name}`);
    const want = normalizeOpengear({ wireguard: [w] }).wireguard?.[0];
    const now = have.find((x) => x.name === w.name);
    if (
      entity &&
      JSON.stringify(now) === JSON.stringify(want) &&
      text(entity.fields.get("enabled")) !== "false"
    )
      continue;
    const fields = wireguardFields(w).filter((f) => !(entity && f.key === "name"));
    if (!entity) fields.push({ key: "private_key", value: s(deviceKeyPlaceholder(w.name)) });
    out.push({
      line: entity
        ? ogcliCommand("update", WIREGUARD_PATH, entity.id ?? w.name, fields)
        : ogcliCommand("create", WIREGUARD_PATH, undefined, fields),
      description: entity
        ? `WireGuard ${w.name}${intent.management_vpn?.interface === w.name ? " (the management VPN)" : ""}: set as git describes it (${w.peers.length} peer(s))`
        : `add WireGuard ${w.name} with the private key the box generated (${w.peers.length} peer(s))`,
    });
  }
}

function tailscaleCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const vpn = intent.management_vpn;
  if (vpn?.type !== "tailscale" || live.state.management_vpn?.type === "tailscale") return;
  const args = ["tailscale up"];
  if (vpn.login_server) args.push(`--login-server=https://${vpn.login_server}`);
  if (vpn.auth_key_env) args.push(`--auth-key=${secretPlaceholder(vpn.auth_key_env)}`);
  out.push({ line: args.join(" "), description: "join the management tailnet (Tailscale)" });
}

function failoverCommands(intent: DeviceIntent, live: OpengearLive, out: PlannedCommand[]): void {
  const f = intent.cellular_failover;
  if (!f) return;
  const entity = live.entities.get(FAILOVER_PATH) ?? emptyEntity(FAILOVER_PATH);
  const want: OgField[] = [
    { key: "enabled", value: b(f.enabled) },
    { key: "probe_address", value: s(f.probe_address) },
  ];
  // Newer firmware names the interface that takes over; older ones have no such field.
  if (f.interface && entity.fields.has("failover_physif"))
    want.push({ key: "failover_physif", value: s(f.interface) });
  const fields = changed(entity, want);
  if (fields.length > 0)
    out.push({
      line: ogcliCommand("update", FAILOVER_PATH, undefined, fields),
      description: `cellular failover: ${f.enabled ? `armed, probing ${f.probe_address}` : "disabled"}`,
    });
}

/** The ordered commands from live to desired (empty when the box already is as desired). */
export function planCommands(intent: DeviceIntent, live: OpengearLive): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  adminInfoCommands(intent, live, out);
  userCommands(intent, live, out);
  portCommands(intent, live, out);
  snmpCommands(intent, live, out);
  wireguardCommands(intent, live, out);
  tailscaleCommands(intent, live, out);
  failoverCommands(intent, live, out);
  return out;
}
