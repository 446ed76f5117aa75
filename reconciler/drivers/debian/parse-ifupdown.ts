// Parses the ifupdown file back into interfaces: stanzas `iface NAME inet|inet6 static|manual|
// loopback`, their `address` and `mtu` options, and the pre-up/post-down commands render writes to
// create and delete the link (which give the interface's kind). Other options and stanzas are
// returned in `unrecognized`.
import type { NetInterface } from "../../schema/device.ts";

export interface ParsedIfupdown {
  interfaces: NetInterface[];
  unrecognized: string[];
}

const STANZA =
  /^(iface|auto|allow-[a-z-]+|mapping|source|source-directory|no-auto-down|no-scripts|rename|template)\b/;

export function parseIfupdown(text: string): ParsedIfupdown {
  const byName = new Map<string, NetInterface & { created?: boolean }>();
  const unrecognized: string[] = [];
  let current: (NetInterface & { created?: boolean }) | undefined;
  const entry = (name: string) => {
    let i = byName.get(name);
    if (!i) {
      i = { name, kind: name === "lo" ? "loopback" : "ethernet" };
      byName.set(name, i);
    }
    return i;
  };
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `interfaces.d line ${index + 1}: ${line}`;
    const w = line.split(/\s+/);
    if (STANZA.test(line)) {
      current = undefined;
      if (w[0] === "auto" && w.length > 1) return;
      const [, name, family, method] = w;
      if (w[0] === "iface" && name && w.length === 4 && (family === "inet" || family === "inet6")) {
        if (method === "static" || method === "manual" || (method === "loopback" && family === "inet")) {
          current = entry(name);
          if (method === "loopback") current.kind = "loopback";
          return;
        }
      }
      unrecognized.push(where);
      return;
    }
    if (!current) {
      unrecognized.push(where);
      return;
    }
    const name = current.name;
    const m = line.match(
      /^pre-up ip link add (?:dev (\S+) type (dummy|bridge)|link (\S+) name (\S+) type vlan id ([0-9]+)) \|\| true$/,
    );
    if (w[0] === "address" && w.length === 2 && w[1]?.includes("/")) {
      current.addresses = [...(current.addresses ?? []), w[1]];
    } else if (w[0] === "mtu" && w.length === 2 && /^[0-9]+$/.test(w[1] ?? "")) current.mtu = Number(w[1]);
    else if (m && (m[1] === name || m[4] === name)) {
      if (m[2]) current.kind = m[2] as "dummy" | "bridge";
      else {
        current.kind = "vlan";
        current.vlan = { parent: m[3] as string, id: Number(m[5]) };
      }
    } else if (line === `post-down ip link del dev ${name} || true`) {
      // the counterpart of the pre-up above
    } else unrecognized.push(where);
  });
  return { interfaces: [...byName.values()], unrecognized };
}
