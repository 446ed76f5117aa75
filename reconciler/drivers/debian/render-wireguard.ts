// /etc/wireguard/<if>.conf in wg-quick format, one file per WireGuard interface.
//
// The private key is not in the file: it is generated on the router into a root-only key file
// and loaded by PostUp. Verified with wireguard-tools v1.0.20210914: `wg syncconf` (and setconf)
// with a config that has no PrivateKey REMOVES the interface's private key (they reset every
// interface field the file does not set: key, listen port, fwmark). Whoever runs syncconf must
// therefore append the key on the device, see wireguardSyncInput() in secrets.ts.

import {
  canonEndpoint,
  canonInterfaceAddress,
  canonNetwork,
  compareText,
  ipSet,
} from "../../model/canonical.ts";
import type { WireguardInterface, WireguardPeer } from "../../schema/device.ts";
import { WG_DEFAULT_TABLE } from "./defaults.ts";
import { ifname, lineText, word } from "./guard.ts";
import { MANAGED_MARK, WIREGUARD_KEY_DIR, wireguardKeyPath } from "./paths.ts";
import { wireguardPskPath } from "./secrets.ts";

/** The PostUp line that loads the private key; wg-quick replaces %i with the interface name. */
export const WG_KEY_POSTUP = `wg set %i private-key ${WIREGUARD_KEY_DIR}/%i.key`;

export function wgPskPostUp(publicKey: string, env: string): string {
  return `wg set %i peer ${word(publicKey, "a WireGuard public key")} preshared-key ${wireguardPskPath(env)}`;
}

function renderPeer(p: WireguardPeer): string[] {
  const lines: string[] = [];
  if (p.description) lines.push(`# ${lineText(p.description, "a peer description")}`);
  lines.push("[Peer]", `PublicKey = ${word(p.public_key, "a WireGuard public key")}`);
  const allowed = ipSet(p.allowed_ips, canonNetwork).map((a) => word(a, "an allowed IP"));
  if (allowed.length > 0) lines.push(`AllowedIPs = ${allowed.join(", ")}`);
  if (p.endpoint) lines.push(`Endpoint = ${word(canonEndpoint(p.endpoint), "an endpoint")}`);
  if (p.persistent_keepalive) {
    lines.push(`PersistentKeepalive = ${word(p.persistent_keepalive, "a keepalive interval")}`);
  }
  return lines;
}

export function renderWireguardConf(w: WireguardInterface, device: string): string {
  const name = ifname(w.name);
  const head = [
    `# ${MANAGED_MARK} for ${lineText(device, "a device name")}: generated from the desired state in git.`,
    "# Local changes are reported as drift and overwritten by the next apply.",
  ];
  if (w.description) head.push(`# ${lineText(w.description, "an interface description")}`);
  head.push(
    "#",
    `# No PrivateKey here: the key is generated on this router into ${wireguardKeyPath(name)}`,
    "# (readable by root only), never leaves it, and is loaded by PostUp.",
  );
  const iface = ["[Interface]"];
  const addresses = ipSet(w.addresses ?? [], canonInterfaceAddress).map((a) => word(a, "an address"));
  if (addresses.length > 0) iface.push(`Address = ${addresses.join(", ")}`);
  if (w.listen_port !== undefined) iface.push(`ListenPort = ${word(w.listen_port, "a listen port")}`);
  if (w.mtu !== undefined) iface.push(`MTU = ${word(w.mtu, "an MTU")}`);
  // Table = off: the routing daemon, not wg-quick, decides what goes through the tunnel.
  iface.push(`Table = ${word(w.table ?? WG_DEFAULT_TABLE, "a routing table")}`);
  iface.push(`PostUp = ${WG_KEY_POSTUP}`);
  const peers = [...w.peers].sort((a, b) => compareText(a.public_key, b.public_key));
  for (const p of peers) {
    if (p.preshared_key_env) iface.push(`PostUp = ${wgPskPostUp(p.public_key, p.preshared_key_env)}`);
  }
  const blocks = [[...head, ...iface], ...peers.map(renderPeer)];
  return `${blocks.map((b) => b.join("\n")).join("\n\n")}\n`;
}
