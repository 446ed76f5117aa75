// Pure parsers of what the health gate reads on a Debian router: birdc's OSPF neighbour table,
// FRR's OSPF/OSPFv3 neighbour JSON, `wg show IF latest-handshakes`, and `ip -j route show`.
// The text parsers never throw; the JSON ones throw OutputFormatError for text that is not JSON of
// the expected kind (object or array), and skip entries of an unexpected shape.
import { OutputFormatError } from "../parse-error.ts";

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

/** A JSON scalar as text; "" for anything else (String() of {"toString": 1} would throw). */
const scalar = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "";
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OutputFormatError(source, `not JSON (${(err as Error).message})`);
  }
}

function frrRow(row: Json, routerIdKey: string | undefined, instance: string): OspfNeighbor | undefined {
  const routerId = scalar(row.neighborId ?? row.routerId ?? routerIdKey);
  const state = scalar(row.state ?? row.nbrState);
  const iface = scalar(row.ifaceName ?? row.interfaceName ?? row.interface).split(":")[0] ?? "";
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
  const source = `FRR's ${instance} neighbour JSON`;
  const data = parseJson(source, text);
  if (!isObject(data)) throw new OutputFormatError(source, "not a JSON object");
  const n = data.neighbors;
  const out: OspfNeighbor[] = [];
  if (Array.isArray(n)) {
    for (const row of n.filter(isObject)) {
      const r = frrRow(row, undefined, instance);
      if (r) out.push(r);
    }
  } else if (isObject(n)) {
    for (const [rid, rows] of Object.entries(n)) {
      for (const row of (Array.isArray(rows) ? rows : [rows]).filter(isObject)) {
        const r = frrRow(row, rid, instance);
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
  const source = `ip -${family} -j route show`;
  const rows = parseJson(source, text);
  if (!Array.isArray(rows)) throw new OutputFormatError(source, "did not print a JSON array");
  return rows.filter(isObject).map((r) => {
    let dst = scalar(r.dst);
    if (dst === "default") dst = family === 4 ? "0.0.0.0/0" : "::/0";
    else if (!dst.includes("/")) dst = `${dst}/${family === 4 ? 32 : 128}`;
    const route: KernelRoute = { prefix: dst.toLowerCase(), protocol: scalar(r.protocol ?? "boot") };
    if (typeof r.type === "string") route.type = r.type;
    return route;
  });
}
