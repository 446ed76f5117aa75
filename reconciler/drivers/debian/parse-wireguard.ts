// Parses a wg-quick file back into a WireguardInterface. wg-quick's own rules: '#' starts a
// comment anywhere, keys are case-insensitive, Address and AllowedIPs may be repeated and hold
// comma-separated lists. What is not understood (PreUp, DNS, SaveConfig, a PrivateKey line,
// another PostUp...) is returned in `unrecognized`, never dropped silently.
import type { WireguardInterface, WireguardPeer } from "../../schema/device.ts";
import { WG_KEY_POSTUP } from "./render-wireguard.ts";
import { parseWireguardPskPath } from "./secrets.ts";

export interface ParsedWireguardConf {
  iface: WireguardInterface;
  /** Whether the PostUp line that loads the key from /etc/wireguard/keys/%i.key is present. */
  loadsKeyFile: boolean;
  unrecognized: string[];
}

const list = (value: string) =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

const positiveInt = (value: string) => (/^[0-9]{1,5}$/.test(value) ? Number(value) : undefined);

export function parseWireguardConf(name: string, text: string): ParsedWireguardConf {
  // No Table line means wg-quick's default: "auto" (routes for the allowed IPs).
  const iface: WireguardInterface = { name, table: "auto", peers: [] };
  const unrecognized: string[] = [];
  const psk = new Map<string, string>();
  let loadsKeyFile = false;
  let section: "none" | "interface" | "peer" = "none";
  let peer: WireguardPeer | undefined;
  const lines = text.split("\n");
  lines.forEach((rawLine, index) => {
    // Not /#.*$/: `.` stops at a carriage return, and the regex then retries from every later
    // '#', quadratic in a line of them; it also left a comment after a '\r' in place.
    const hash = rawLine.indexOf("#");
    const line = (hash < 0 ? rawLine : rawLine.slice(0, hash)).trim();
    if (line === "") return;
    // A key line is reported without its value: a hand-added PrivateKey must not travel further
    // ([\s\S], not `.`, so that a '\r' in the value cannot keep the rest of it from being hidden).
    const shown = rawLine.trim().replace(/^((?:private|preshared)key\s*=\s*)[\s\S]*$/i, "$1(hidden)");
    const where = `${name}.conf line ${index + 1}: ${shown}`;
    if (/^\[interface\]$/i.test(line)) {
      section = "interface";
      return;
    }
    if (/^\[peer\]$/i.test(line)) {
      section = "peer";
      peer = { public_key: "", allowed_ips: [] };
      iface.peers.push(peer);
      return;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || section === "none") {
      unrecognized.push(where);
      return;
    }
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (section === "interface") {
      if (key === "address") iface.addresses = [...(iface.addresses ?? []), ...list(value)];
      else if (key === "listenport" && positiveInt(value) !== undefined)
        iface.listen_port = positiveInt(value);
      else if (key === "mtu" && positiveInt(value) !== undefined) iface.mtu = positiveInt(value);
      else if (key === "table" && (value === "off" || value === "auto")) iface.table = value;
      else if (key === "postup" && value === WG_KEY_POSTUP) loadsKeyFile = true;
      else if (key === "postup" && /^wg set %i peer \S+ preshared-key \S+$/.test(value)) {
        const [, , , , pub, , path] = value.split(" ");
        const env = parseWireguardPskPath(path ?? "");
        if (pub && env) psk.set(pub, env);
        else unrecognized.push(where);
      } else unrecognized.push(where);
      return;
    }
    if (!peer) return;
    if (key === "publickey") peer.public_key = value;
    else if (key === "allowedips") peer.allowed_ips.push(...list(value));
    else if (key === "endpoint" && value !== "") peer.endpoint = value;
    else if (key === "persistentkeepalive" && value === "off") delete peer.persistent_keepalive;
    else if (key === "persistentkeepalive" && positiveInt(value) !== undefined) {
      const n = positiveInt(value) ?? 0;
      if (n > 0) peer.persistent_keepalive = n;
      else delete peer.persistent_keepalive;
    } else unrecognized.push(where);
  });
  for (const p of iface.peers) {
    const env = psk.get(p.public_key);
    if (env) p.preshared_key_env = env;
  }
  return { iface, loadsKeyFile, unrecognized };
}
