// Pure parsers of what the health gate reads on a Debian router: birdc's OSPF neighbour table,
// FRR's OSPF/OSPFv3 neighbour JSON, `wg show IF latest-handshakes`, and `ip -j route show`.

export interface OspfNeighbor {
  routerId: string;
  state: string;
  interface: string;
  /** bird: the protocol (instance) name the table belongs to; FRR: "ospf" or "ospf6". */
  instance: string;
}

/** Full, whatever the role suffix (Full/PtP, Full/DR, Full/-). */
export const isFull = (state: string) => /^full\b/i.test(state);

/**
 * `birdc show ospf neighbors [NAME]` (bird 2): "<instance>:" then a header line, then one row per
 * neighbour: router id, priority, state, dead timer, interface, router IP.
 */
export function parseBirdOspfNeighbors(text: string, defaultInstance = ""): OspfNeighbor[] {
  const out: OspfNeighbor[] = [];
  let instance = defaultInstance;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\d{4}[- ]/, "").trimEnd();
    const head = /^([A-Za-z_][A-Za-z0-9_.-]*):$/.exec(line.trim());
    if (head?.[1]) {
      instance = head[1];
      continue;
    }
    const m = /^\s*(\d{1,3}(?:\.\d{1,3}){3})\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(\S+))?/.exec(line);
    if (m) out.push({ routerId: m[1] as string, state: m[3] as string, interface: m[5] as string, instance });
  }
  return out;
}

type Json = Record<string, unknown>;

function frrRow(row: Json, routerIdKey: string | undefined, instance: string): OspfNeighbor | undefined {
  const routerId = String(row.neighborId ?? row.routerId ?? routerIdKey ?? "");
  const state = String(row.state ?? row.nbrState ?? "");
  const iface = String(row.ifaceName ?? row.interfaceName ?? row.interface ?? "").split(":")[0] ?? "";
  if (!routerId || !state) return undefined;
  return { routerId, state, interface: iface, instance };
}

/**
 * FRR's `show ip ospf neighbor json` ({"neighbors": {"<router id>": [{state, ifaceName
 * "wg-fw:203.0.113.6", ...}]}}) and `show ipv6 ospf6 neighbor json` ({"neighbors": [{neighborId,
 * state, interfaceName, ...}]}). Empty text (daemon not running) is no neighbour.
 */
export function parseFrrOspfNeighbors(text: string, instance: string): OspfNeighbor[] {
  if (!text.trim()) return [];
  const data = JSON.parse(text) as Json;
  const n = data.neighbors;
  const out: OspfNeighbor[] = [];
  if (Array.isArray(n)) {
    for (const row of n) {
      const r = frrRow(row as Json, undefined, instance);
      if (r) out.push(r);
    }
  } else if (n && typeof n === "object") {
    for (const [rid, rows] of Object.entries(n as Json)) {
      for (const row of Array.isArray(rows) ? rows : [rows]) {
        const r = frrRow(row as Json, rid, instance);
        if (r) out.push(r);
      }
    }
  }
  return out;
}

/** `wg show IF latest-handshakes`: "<public key>\t<epoch seconds>" per peer (0 = never). */
export function parseLatestHandshakes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, epoch] = line.trim().split(/\s+/);
    if (key && epoch && /^\d+$/.test(epoch)) out.set(key, Number(epoch));
  }
  return out;
}

export interface KernelRoute {
  /** The destination with its length (ip prints host routes without one: /32 or /128 added). */
  prefix: string;
  protocol: string;
  type?: string;
}

export function parseIpRoutes(text: string, family: 4 | 6): KernelRoute[] {
  if (!text.trim()) return [];
  const rows = JSON.parse(text) as Json[];
  return rows.map((r) => {
    let dst = String(r.dst ?? "");
    if (dst === "default") dst = family === 4 ? "0.0.0.0/0" : "::/0";
    else if (!dst.includes("/")) dst = `${dst}/${family === 4 ? 32 : 128}`;
    const route: KernelRoute = { prefix: dst.toLowerCase(), protocol: String(r.protocol ?? "boot") };
    if (typeof r.type === "string") route.type = r.type;
    return route;
  });
}
