// Reading what the real daemons report: `birdc show ospf neighbors`, `birdc show protocols all`,
// `birdc show route` and `wg show IF dump`. Their output is treated as hostile: bounded in size
// and lines, every field checked against a narrow pattern, anything else dropped.

const MAX_LINES = 5000;
const lines = (text: string) =>
  text
    .slice(0, 1024 * 1024)
    .split("\n")
    .slice(0, MAX_LINES);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IP = /^[0-9A-Fa-f.:]{2,45}$/;
const PREFIX = /^[0-9A-Fa-f.:]{2,45}\/\d{1,3}$/;
const IFNAME = /^[A-Za-z0-9._-]{1,15}$/;
const PROTO = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const WGKEY = /^[A-Za-z0-9+/]{43}=$/;

export interface OspfNeighbor {
  proto: string;
  routerId: string;
  priority: number;
  /** bird's state word before the slash: Full, Init, 2-Way, ExStart, Exchange, Loading, Down. */
  state: string;
  interface: string;
  address: string;
}

/** `show ospf neighbors` (all protocols): a `name:` line, a header, then one line per neighbour. */
export function parseOspfNeighbors(text: string): OspfNeighbor[] {
  const out: OspfNeighbor[] = [];
  let proto = "";
  for (const l of lines(text)) {
    const head = /^([A-Za-z][A-Za-z0-9_]{0,31}):\s*$/.exec(l);
    if (head) {
      proto = head[1] as string;
      continue;
    }
    const f = l.trim().split(/\s+/);
    if (f.length !== 6 || !proto) continue;
    const [rid, pri, state, , ifname, addr] = f as [string, string, string, string, string, string];
    if (!IPV4.test(rid) || !/^\d{1,3}$/.test(pri) || !IFNAME.test(ifname) || !IP.test(addr)) continue;
    const st = /^([A-Za-z0-9-]{1,12})(?:\/[A-Za-z-]{1,12})?$/.exec(state);
    if (!st) continue;
    out.push({
      proto,
      routerId: rid,
      priority: Number(pri),
      state: st[1] as string,
      interface: ifname,
      address: addr,
    });
  }
  return out;
}

export interface BgpProtocol {
  proto: string;
  state: string;
  neighborAddress?: string;
  neighborAs?: string;
  localAs?: string;
  neighborId?: string;
  sourceAddress?: string;
  /** bird's "Since" column of the protocol line (when it entered its state), e.g. 00:12:34.567. */
  since?: string;
}

/** `show protocols all` restricted to BGP protocols. */
export function parseBgpProtocols(text: string): BgpProtocol[] {
  const out: BgpProtocol[] = [];
  let cur: BgpProtocol | undefined;
  for (const l of lines(text)) {
    const p = /^(\S+)\s+BGP\s+\S+\s+\S+\s+(\S+)\s*(.*)$/.exec(l);
    if (p && PROTO.test(p[1] as string)) {
      const info = (p[3] ?? "").trim().split(/\s+/)[0] ?? "";
      cur = { proto: p[1] as string, state: /^[A-Za-z]{1,16}$/.test(info) ? info : "Idle", since: p[2] };
      out.push(cur);
      continue;
    }
    if (/^\S/.test(l)) {
      cur = undefined;
      continue;
    }
    if (!cur) continue;
    const kv = /^\s+([A-Za-z ]{2,30}):\s+(\S+)\s*$/.exec(l);
    if (!kv) continue;
    const [key, val] = [kv[1] as string, kv[2] as string];
    if (key === "BGP state" && /^[A-Za-z]{1,16}$/.test(val)) cur.state = val;
    else if (key === "Neighbor address" && IP.test(val)) cur.neighborAddress = val;
    else if (key === "Neighbor AS" && /^\d{1,10}$/.test(val)) cur.neighborAs = val;
    else if (key === "Local AS" && /^\d{1,10}$/.test(val)) cur.localAs = val;
    else if (key === "Neighbor ID" && IPV4.test(val)) cur.neighborId = val;
    else if (key === "Source address" && IP.test(val)) cur.sourceAddress = val;
  }
  return out;
}

export interface BirdRoute {
  prefix: string;
  proto: string;
  primary: boolean;
  kind: string;
  gateway?: string;
  interface?: string;
}

/** `show route` (every table): `PREFIX unicast [proto since] * (pref/metric)` and `via X on IF` / `dev IF` lines. */
export function parseRoutes(text: string): BirdRoute[] {
  const out: BirdRoute[] = [];
  let prefix = "";
  let cur: BirdRoute | undefined;
  for (const l of lines(text)) {
    const r = /^(\S+)?\s+(unicast|blackhole|unreachable|prohibit)\s+\[(\S+)\s[^\]]*\]\s+(\*)?/.exec(l);
    if (r) {
      if (r[1]) prefix = r[1];
      if (!PREFIX.test(prefix) || !PROTO.test(r[3] as string)) {
        cur = undefined;
        continue;
      }
      cur = { prefix, proto: r[3] as string, primary: r[4] === "*", kind: r[2] as string };
      out.push(cur);
      continue;
    }
    const via = /^\s+via\s+(\S+)\s+on\s+(\S+)/.exec(l);
    if (via && cur && !cur.gateway && IP.test(via[1] as string) && IFNAME.test(via[2] as string)) {
      cur.gateway = via[1];
      cur.interface = via[2];
      continue;
    }
    const dev = /^\s+dev\s+(\S+)/.exec(l);
    if (dev && cur && !cur.interface && IFNAME.test(dev[1] as string)) cur.interface = dev[1];
  }
  return out;
}

export interface WgPeerState {
  publicKey: string;
  endpoint?: string;
  /** Unix seconds of the latest handshake; 0 = none. */
  latestHandshake: number;
  rx: number;
  tx: number;
}

/** `wg show IF dump`: the interface line, then one tab-separated line per peer. */
export function parseWgDump(text: string): WgPeerState[] {
  const out: WgPeerState[] = [];
  for (const l of lines(text).slice(1)) {
    const f = l.split("\t");
    if (f.length < 8) continue;
    const [pub, , endpoint, , hs, rx, tx] = f as string[];
    if (
      !WGKEY.test(pub ?? "") ||
      !/^\d{1,12}$/.test(hs ?? "") ||
      !/^\d{1,20}$/.test(rx ?? "") ||
      !/^\d{1,20}$/.test(tx ?? "")
    )
      continue;
    out.push({
      publicKey: pub as string,
      ...(endpoint && endpoint !== "(none)" && /^[0-9A-Fa-f.:[\]]{3,60}$/.test(endpoint) ? { endpoint } : {}),
      latestHandshake: Number(hs),
      rx: Number(rx),
      tx: Number(tx),
    });
  }
  return out;
}
