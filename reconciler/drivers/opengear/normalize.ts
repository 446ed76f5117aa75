// The projection of a state onto what an Opengear box can read back from its store, applied to
// both the desired and the live state before they are compared: port defaults (8N1, console
// server) made explicit; what the store has no field for dropped (flow control, the device a port
// is wired to, the failover probe's interval and count, the SNMP source filter, SSH keys, the
// management VPN pointer of a WireGuard VPN, a user's password: the box holds one whoever set it
// and cannot say which); secrets reduced to "one is set". Pure.
import { canonEndpoint, canonInterfaceAddress, canonNetwork, ipSet } from "../../model/canonical.ts";
import type { DeviceIntent, SerialPort, User, WireguardInterface } from "../../schema/device.ts";
import { PORT_DEFAULTS, SECRET_SET } from "./vocabulary.ts";

const prune = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
};
const set = (v: string | undefined) => (v ? SECRET_SET : undefined);

export function normalizePort(p: SerialPort): SerialPort {
  return prune({
    port: p.port,
    label: p.label,
    baud: p.baud,
    data_bits: p.data_bits ?? PORT_DEFAULTS.data_bits,
    parity: p.parity ?? PORT_DEFAULTS.parity,
    stop_bits: p.stop_bits ?? PORT_DEFAULTS.stop_bits,
    mode: p.mode ?? PORT_DEFAULTS.mode,
  }) as SerialPort;
}

function normalizeUser(u: User): User {
  return prune({
    name: u.name,
    description: u.description || undefined,
    groups: u.groups && u.groups.length > 0 ? [...new Set(u.groups)].sort() : undefined,
    enabled: u.enabled === false ? false : undefined,
  });
}

/** WireGuard's own default MTU (1500 less its IPv6 overhead), the box's when none is set. */
const WIREGUARD_DEFAULT_MTU = 1420;

function normalizeWireguard(w: WireguardInterface): WireguardInterface {
  return prune({
    name: w.name,
    // What a tunnel created without them reports: port 0 (none fixed, WireGuard picks one) and
    // WireGuard's default MTU. Unset in git means exactly that, so neither is a difference.
    listen_port: w.listen_port || undefined,
    addresses: w.addresses?.length ? ipSet(w.addresses, canonInterfaceAddress) : undefined,
    mtu: w.mtu === WIREGUARD_DEFAULT_MTU ? undefined : w.mtu,
    peers: [...w.peers]
      .map((p) =>
        prune({
          public_key: p.public_key,
          endpoint: p.endpoint ? canonEndpoint(p.endpoint) : undefined,
          allowed_ips: ipSet(p.allowed_ips, canonNetwork),
          persistent_keepalive: p.persistent_keepalive || undefined,
          preshared_key_env: set(p.preshared_key_env),
        }),
      )
      .sort((a, b) => a.public_key.localeCompare(b.public_key)),
  });
}

export function normalizeOpengear(intent: DeviceIntent): DeviceIntent {
  const out: DeviceIntent = {};
  if (intent.serial_ports?.length)
    out.serial_ports = intent.serial_ports.map(normalizePort).sort((a, b) => a.port - b.port);
  if (intent.cellular_failover)
    out.cellular_failover = {
      enabled: intent.cellular_failover.enabled,
      probe_address: intent.cellular_failover.probe_address,
    };
  if (intent.snmp) {
    const s = intent.snmp;
    out.snmp = prune({
      enabled: s.enabled,
      location: s.location || undefined,
      contact: s.contact || undefined,
      community_env: set(s.community_env),
      v3_users: s.v3_users?.length
        ? s.v3_users.map((u) => ({
            name: u.name,
            auth_protocol: u.auth_protocol,
            auth_password_env: SECRET_SET,
            privacy_protocol: u.privacy_protocol,
            privacy_password_env: SECRET_SET,
          }))
        : undefined,
    });
  }
  if (intent.users?.length) out.users = intent.users.map(normalizeUser);
  if (intent.wireguard?.length) out.wireguard = intent.wireguard.map(normalizeWireguard);
  // Tailscale's state is read from `tailscale status`; a WireGuard VPN is the interface itself.
  if (intent.management_vpn?.type === "tailscale") out.management_vpn = { type: "tailscale" };
  return out;
}
