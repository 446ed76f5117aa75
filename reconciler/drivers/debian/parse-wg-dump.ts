// Parses `wg show all dump`: tab-separated, one line per interface (name, private key, public key,
// listen port, fwmark) followed by one line per peer (name, public key, preshared key, endpoint,
// allowed IPs, latest handshake, rx bytes, tx bytes, keepalive); "(none)" and "off" for unset.
//
// The private key (field 2 of interface lines) and the preshared key (field 3 of peer lines) are
// never stored: the read strips them on the device already, and this parser ignores those fields
// whatever they hold. sanitizeWgDump() is the same stripping on this side, as a second guard.

export interface DumpPeer {
  publicKey: string;
  /** True when the peer has a preshared key (its value never reaches the reconciler). */
  hasPresharedKey: boolean;
  endpoint?: string;
  allowedIps: string[];
  keepalive?: number;
}

export interface DumpInterface {
  name: string;
  publicKey?: string;
  listenPort?: number;
  fwmark?: string;
  peers: DumpPeer[];
}

export interface ParsedWgDump {
  interfaces: DumpInterface[];
  unrecognized: string[];
}

const HIDDEN = "(hidden)";
const unset = (v: string | undefined) => v === undefined || v === "(none)" || v === "off" || v === "";

/** Replaces the private and preshared key fields by "(hidden)" (unless unset) in dump text. */
export function sanitizeWgDump(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      if (line === "") return line;
      const f = line.split("\t");
      if (f.length === 9) {
        if (!unset(f[2])) f[2] = HIDDEN;
      } else if (f.length >= 2) {
        // Interface lines (5 fields) and anything unexpected: field 2 may be a private key.
        if (!unset(f[1])) f[1] = HIDDEN;
      }
      return f.join("\t");
    })
    .join("\n");
}

export function parseWgDump(text: string): ParsedWgDump {
  const byName = new Map<string, DumpInterface>();
  const unrecognized: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const f = line.split("\t");
    const name = f[0] ?? "";
    if (f.length === 5) {
      const port = Number(f[3]);
      const iface: DumpInterface = { name, peers: [] };
      if (!unset(f[2])) iface.publicKey = f[2];
      if (Number.isInteger(port) && port > 0) iface.listenPort = port;
      if (!unset(f[4])) iface.fwmark = f[4];
      byName.set(name, iface);
      return;
    }
    const iface = byName.get(name);
    if (f.length === 9 && iface) {
      const keepalive = Number(f[8]);
      const peer: DumpPeer = {
        publicKey: f[1] ?? "",
        hasPresharedKey: !unset(f[2]),
        allowedIps: unset(f[4]) ? [] : (f[4] ?? "").split(","),
      };
      if (!unset(f[3])) peer.endpoint = f[3];
      if (Number.isInteger(keepalive) && keepalive > 0) peer.keepalive = keepalive;
      iface.peers.push(peer);
      return;
    }
    // The line itself is not kept: it could hold a key in an unexpected place.
    unrecognized.push(`wg show all dump line ${index + 1}: ${f.length} fields, expected 5 or 9`);
  });
  return { interfaces: [...byName.values()], unrecognized };
}
