// What `configctl template reload OPNsense/Wireguard` writes: one file per enabled instance,
// /usr/local/etc/wireguard/wg<instance>.conf (templates/OPNsense/Wireguard/+TARGETS), with the
// text of wireguard-server.conf: commented interface settings, [Interface] with the private key
// and listen port, one [Peer] per enabled peer of the instance (Endpoint port 51820 when the peer
// has none, AllowedIPs = the peer's tunnel addresses).
import type { WgClient, WgServer, WireguardModel } from "./model.ts";

export const WG_CONF_DIR = "/usr/local/etc/wireguard";

export interface RenderedFile {
  path: string;
  content: string;
}

function peerBlock(c: WgClient): string[] {
  const out = ["", "[Peer]", `# friendly_name = ${c.name}`, `PublicKey = ${c.pubkey}`];
  if (c.psk) out.push(`PresharedKey = ${c.psk}`);
  if (c.serveraddress) out.push(`Endpoint = ${c.serveraddress}:${c.serverport || "51820"}`);
  // The template leaves a blank line before AllowedIPs; the model's list is comma-separated.
  out.push("", `AllowedIPs = ${c.tunneladdress.join(",")}`);
  if (c.keepalive) out.push(`PersistentKeepalive = ${c.keepalive}`);
  return out;
}

export function renderServer(s: WgServer, clients: WgClient[]): string {
  const lines = [
    "####################################################",
    "# Interface settings, not used by `wg`             #",
    "# Only used for reference and detection of changes #",
    "# in the configuration                             #",
    "####################################################",
    `# Address =  ${s.tunneladdress.join(",")}`,
    "# DNS = ",
    `# MTU = ${s.mtu}`,
    `# disableroutes = ${s.disableroutes ? "1" : "0"}`,
    `# gateway = ${s.gateway}`,
    `# debug = ${s.debug}`,
    "",
    "[Interface]",
    `PrivateKey = ${s.privkey}`,
  ];
  if (s.port) lines.push(`ListenPort = ${s.port}`);
  const byUuid = new Map(clients.map((c) => [c.uuid, c]));
  for (const id of s.peers) {
    const c = byUuid.get(id);
    if (c?.enabled) lines.push(...peerBlock(c));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The files the WireGuard template renders: +TARGETS names one file per server item, enabled or
 * not; the template's body is empty unless WireGuard and that instance are enabled.
 */
export function renderWireguard(m: WireguardModel): RenderedFile[] {
  return m.servers.map((s) => ({
    path: `${WG_CONF_DIR}/wg${s.instance}.conf`,
    content: m.enabled && s.enabled ? renderServer(s, m.clients) : "",
  }));
}
