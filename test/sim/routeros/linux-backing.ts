// The Linux backing: run inside a lab router's namespaces, it makes the kernel and the daemons
// match the simulated configuration — `/interface wireguard` as a wireguard-go TUN interface set
// with `wg syncconf`, `/interface bridge` as a Linux bridge, `/ip address` and `/ipv6 address`
// with `ip addr`, the routing menus as bird2's configuration — and reads back what they report
// for the operational menus. It only ever removes what it made itself: the lab's own addresses
// and veths (mgmt0, ether1…) are left alone.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backing, LiveRow } from "./backing.ts";
import { bgpProto, birdConfig, ospfProto } from "./bird-config.ts";
import { execTool } from "./linux-exec.ts";
import {
  parseBgpProtocols,
  parseOspfNeighbors,
  parseRoutes,
  parseWgDump,
  type WgPeerState,
} from "./live-parse.ts";
import type { Store, StoredItem } from "./store.ts";
import { formatTime, parseTime } from "./values.ts";

const IFNAME = /^[A-Za-z0-9._-]{1,15}$/;
const WGKEY = /^[A-Za-z0-9+/]{43}=$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PREFIX = /^[0-9A-Fa-f.:]{2,45}\/\d{1,3}$/;
const BIRD_CTL = "/run/bird/bird.ctl";
const BIRD_CONF = "/etc/bird/bird.conf";
/** The configuration the backing acts on; a change elsewhere (files, scheduler) needs no sync. */
const BACKED_MENUS = [
  "interface ethernet",
  "interface bridge",
  "interface wireguard",
  "interface wireguard peers",
  "ip address",
  "ipv6 address",
  "ip route",
  "routing id",
  "routing ospf instance",
  "routing ospf area",
  "routing ospf interface-template",
  "routing bgp template",
  "routing bgp connection",
];

const enabled = (i: StoredItem) => i.values.disabled !== "yes";

export interface LinuxBackingOptions {
  /** Where the backing says what it did and what failed (the simulator's log file). */
  log?: (line: string) => void;
  /** The clock (for handshake ages and adjacency times). */
  now?: () => Date;
}

export class LinuxBacking implements Backing {
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private last = "";
  private lastBird = "";
  /** Interfaces this backing created (name → kind), and the wg configuration last applied. */
  private readonly made = new Map<string, "wg" | "bridge">();
  private readonly wgConf = new Map<string, string>();
  /** Addresses this backing added: "dev address". */
  private readonly addrs = new Set<string>();
  /** When a neighbour/session was first seen Full/Established, and its state changes. */
  private readonly upSince = new Map<string, number>();
  private readonly states = new Map<string, { state: string; changes: number }>();
  private wgCache = new Map<string, { at: number; peers: WgPeerState[] }>();

  constructor(opts: LinuxBackingOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? (() => new Date());
  }

  private run(file: string, args: string[], input?: string): boolean {
    const r = execTool(file, args, input);
    if (!r.ok) this.log(`${file} ${args.join(" ")}: ${r.err.trim()}`);
    return r.ok;
  }

  sync(store: Store): void {
    const fingerprint = JSON.stringify(BACKED_MENUS.map((m) => store.list(m)));
    if (fingerprint === this.last) return;
    this.last = fingerprint;
    this.syncLinks(store);
    this.syncAddresses(store);
    this.syncBird(store);
  }

  // ------------------------------------------------------------------ links

  private existing(): Set<string> {
    const r = execTool("ip", ["-j", "link", "show"]);
    try {
      const links = JSON.parse(r.out) as { ifname?: string }[];
      return new Set(links.map((l) => l.ifname ?? "").filter((n) => IFNAME.test(n)));
    } catch {
      return new Set();
    }
  }

  private syncLinks(store: Store): void {
    const wgs = store
      .list("interface wireguard")
      .filter((i) => enabled(i) && IFNAME.test(i.values.name ?? ""));
    const bridges = store
      .list("interface bridge")
      .filter((i) => enabled(i) && IFNAME.test(i.values.name ?? ""));
    const want = new Map<string, "wg" | "bridge">([
      ...wgs.map((i) => [i.values.name as string, "wg"] as const),
      ...bridges.map((i) => [i.values.name as string, "bridge"] as const),
    ]);
    for (const [name, kind] of [...this.made]) {
      if (want.get(name) === kind) continue;
      // deleting a wireguard-go interface makes its process exit
      this.run("ip", ["link", "del", name]);
      this.forget(name);
    }
    const have = this.existing();
    for (const [name, kind] of want) {
      if (this.made.has(name)) continue;
      if (have.has(name)) {
        this.log(`${name}: a link of that name already exists, not managed by the simulator`);
        continue;
      }
      const ok =
        kind === "wg"
          ? this.run("wireguard-go", [name])
          : this.run("ip", ["link", "add", name, "type", "bridge"]);
      if (ok) this.made.set(name, kind);
    }
    for (const i of wgs) this.syncWireguard(store, i);
    for (const i of bridges) this.setLink(i.values.name as string, i.values.mtu);
    // built-in ports: the lab's veths of the same name, brought up or down with the port
    for (const e of store.list("interface ethernet")) {
      const dev = e.values["default-name"] ?? "";
      if (IFNAME.test(dev) && have.has(dev)) this.run("ip", ["link", "set", dev, enabled(e) ? "up" : "down"]);
    }
  }

  private forget(name: string): void {
    this.made.delete(name);
    this.wgConf.delete(name);
    for (const a of [...this.addrs]) if (a.startsWith(`${name} `)) this.addrs.delete(a);
  }

  private setLink(name: string, mtu: string | undefined): void {
    if (!this.made.has(name)) return;
    const m = mtu && /^\d{3,5}$/.test(mtu) ? ["mtu", mtu] : [];
    this.run("ip", ["link", "set", name, ...m, "up"]);
  }

  private syncWireguard(store: Store, wg: StoredItem): void {
    const name = wg.values.name as string;
    if (!this.made.has(name)) return;
    const lines = ["[Interface]"];
    const key = wg.values["private-key"] ?? "";
    if (WGKEY.test(key)) lines.push(`PrivateKey = ${key}`);
    const port = Number(wg.values["listen-port"]);
    if (Number.isInteger(port) && port > 0 && port < 65536) lines.push(`ListenPort = ${port}`);
    for (const p of store.list("interface wireguard peers")) {
      if (!enabled(p) || p.values.interface !== name || !WGKEY.test(p.values["public-key"] ?? "")) continue;
      lines.push("", "[Peer]", `PublicKey = ${p.values["public-key"]}`);
      if (WGKEY.test(p.values["preshared-key"] ?? ""))
        lines.push(`PresharedKey = ${p.values["preshared-key"]}`);
      const allowed = (p.values["allowed-address"] ?? "").split(",").filter((a) => PREFIX.test(a));
      if (allowed.length) lines.push(`AllowedIPs = ${allowed.join(", ")}`);
      const host = p.values["endpoint-address"] ?? "";
      const eport = Number(p.values["endpoint-port"] ?? 0);
      if (IPV4.test(host) && eport > 0 && eport < 65536) lines.push(`Endpoint = ${host}:${eport}`);
      else if (/^[0-9A-Fa-f:]{2,39}$/.test(host) && eport > 0 && eport < 65536)
        lines.push(`Endpoint = [${host}]:${eport}`);
      const ka = parseTime(p.values["persistent-keepalive"] ?? "0s") ?? 0;
      if (ka > 0 && ka < 65536) lines.push(`PersistentKeepalive = ${ka}`);
    }
    const conf = `${lines.join("\n")}\n`;
    // syncconf changes only what differs: an unchanged peer keeps its session and handshake
    if (this.wgConf.get(name) !== conf && this.syncconf(name, conf)) this.wgConf.set(name, conf);
    this.setLink(name, wg.values.mtu ?? "1420");
  }

  /**
   * `wg syncconf` from a root-only file, removed at once (node's child stdin is a socket, which
   * wg cannot open as /dev/stdin; the private key must not reach an argument list).
   */
  private syncconf(name: string, conf: string): boolean {
    const dir = mkdtempSync(join(tmpdir(), "ros-sim-wg-"));
    try {
      const file = join(dir, `${name}.conf`);
      writeFileSync(file, conf, { mode: 0o600 });
      return this.run("wg", ["syncconf", name, file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // ------------------------------------------------------------------ addresses

  /** The Linux device of an interface name: one the backing made, or a built-in port's veth. */
  private device(store: Store, name: string, have: Set<string>): string | undefined {
    if (this.made.has(name)) return name;
    const port = store.list("interface ethernet").find((e) => e.values.name === name);
    const dev = port?.values["default-name"];
    return dev && have.has(dev) ? dev : undefined;
  }

  private syncAddresses(store: Store): void {
    const have = this.existing();
    const want = new Set<string>();
    for (const [menu, family] of [
      ["ip address", "-4"],
      ["ipv6 address", "-6"],
    ] as const)
      for (const a of store.list(menu).filter(enabled)) {
        const dev = this.device(store, a.values.interface ?? "", have);
        const addr = a.values.address ?? "";
        if (!dev || !PREFIX.test(addr)) continue;
        const k = `${dev} ${addr}`;
        want.add(k);
        if (this.addrs.has(k)) continue;
        // an address already there (the lab's underlay) is not ours to remove later
        if (execTool("ip", [family, "addr", "add", addr, "dev", dev]).ok) this.addrs.add(k);
      }
    for (const k of [...this.addrs]) {
      if (want.has(k)) continue;
      const [dev = "", addr = ""] = k.split(" ");
      this.run("ip", ["addr", "del", addr, "dev", dev]);
      this.addrs.delete(k);
    }
  }

  // ------------------------------------------------------------------ bird

  private syncBird(store: Store): void {
    const conf = birdConfig(store);
    if (conf === this.lastBird) return;
    const tmp = `${BIRD_CONF}.sim.tmp`;
    writeFileSync(tmp, conf, { mode: 0o644 });
    renameSync(tmp, BIRD_CONF);
    const r = execTool("birdc", ["-s", BIRD_CTL, "configure"]);
    if (r.ok && /Reconfigur/.test(r.out)) this.lastBird = conf;
    else this.log(`birdc configure: ${(r.out + r.err).trim().slice(0, 2000)}`);
  }

  private birdc(...args: string[]): string {
    const r = execTool("birdc", ["-s", BIRD_CTL, ...args]);
    return r.ok ? r.out : "";
  }

  /** Tracks a state per key: the number of changes seen and since when it has been `up`. */
  private track(key: string, state: string, up: boolean): { changes: number; since?: number } {
    const s = this.states.get(key);
    if (!s) this.states.set(key, { state, changes: 1 });
    else if (s.state !== state) {
      s.state = state;
      s.changes++;
    }
    const now = this.now().getTime();
    if (up && !this.upSince.has(key)) this.upSince.set(key, now);
    if (!up) this.upSince.delete(key);
    return { changes: this.states.get(key)?.changes ?? 1, since: this.upSince.get(key) };
  }

  private age(since: number | undefined): string | undefined {
    return since === undefined
      ? undefined
      : formatTime(Math.max(0, Math.floor((this.now().getTime() - since) / 1000)));
  }

  ospfNeighbors(store: Store): LiveRow[] {
    const instances = store.list("routing ospf instance");
    const templates = store.list("routing ospf interface-template");
    return parseOspfNeighbors(this.birdc("show", "ospf", "neighbors")).flatMap((n) => {
      const inst = instances.find((i) => ospfProto(i) === n.proto);
      if (!inst) return [];
      const area = templates.find((t) => (t.values.interfaces ?? "").split(",").includes(n.interface))?.values
        .area;
      const full = n.state === "Full";
      const t = this.track(`ospf ${n.proto} ${n.routerId} ${n.interface}`, n.state, full);
      const row: LiveRow = {
        instance: inst.values.name ?? "",
        ...(area ? { area } : {}),
        "router-id": n.routerId,
        address: n.address,
        interface: n.interface,
        priority: String(n.priority),
        // point-to-point links have no DR (bird reports none either)
        "dr-address": "0.0.0.0",
        "backup-dr-address": "0.0.0.0",
        state: n.state,
        "state-changes": String(t.changes),
      };
      const adj = this.age(t.since);
      if (adj) row.adjacency = adj;
      return [row];
    });
  }

  bgpSessions(store: Store): LiveRow[] {
    const conns = store.list("routing bgp connection");
    return parseBgpProtocols(this.birdc("show", "protocols", "all")).flatMap((p) => {
      const c = conns.find((i) => bgpProto(i) === p.proto);
      if (!c) return [];
      const est = p.state === "Established";
      const t = this.track(`bgp ${p.proto}`, p.state, est);
      const row: LiveRow = {
        // RouterOS names a session after its connection, numbered
        name: `${c.values.name ?? ""}-1`,
        "remote.address": p.neighborAddress ?? (c.values["remote.address"] ?? "").replace(/\/32$/, ""),
        "remote.as": p.neighborAs ?? c.values["remote.as"] ?? "",
        ...(p.neighborId && est ? { "remote.id": p.neighborId } : {}),
        "local.role": c.values["local.role"] ?? "",
        ...(p.sourceAddress ? { "local.address": p.sourceAddress } : {}),
        ...(p.localAs ? { "local.as": p.localAs } : {}),
        ...(est ? { established: "yes" } : {}),
      };
      const up = est ? (sinceAge(p.since, this.now()) ?? this.age(t.since)) : undefined;
      if (up) row.uptime = up;
      return [row];
    });
  }

  routes(store: Store): LiveRow[] {
    const ospf = new Set(store.list("routing ospf instance").map(ospfProto));
    const bgp = new Map(store.list("routing bgp connection").map((c) => [bgpProto(c), c] as const));
    const all = parseRoutes(this.birdc("show", "route")).filter((r) => r.prefix.includes("."));
    const connected = new Set(all.filter((r) => r.proto === "direct4").map((r) => r.prefix));
    const known = new Set([
      ...this.made.keys(),
      ...store.list("interface ethernet").map((e) => e.values["default-name"] ?? ""),
    ]);
    return all.flatMap((r): LiveRow[] => {
      // the networks of the router's own addresses: RouterOS shows them connected (DAc)
      // (only on interfaces the configuration has: the lab's mgmt0 is not one of them)
      if (r.proto === "direct4")
        return r.interface && known.has(r.interface)
          ? [
              {
                dynamic: "yes",
                active: "yes",
                connect: "yes",
                "dst-address": r.prefix,
                gateway: r.interface,
                distance: "0",
                scope: "10",
              },
            ]
          : [];
      // bird's OSPF also lists the router's own stub networks; RouterOS does not
      if ((!ospf.has(r.proto) && !bgp.has(r.proto)) || (ospf.has(r.proto) && connected.has(r.prefix)))
        return [];
      const isBgp = bgp.has(r.proto);
      const ibgp = isBgp && (bgp.get(r.proto)?.values["local.role"] ?? "").startsWith("ibgp");
      const gateway = r.gateway ? `${r.gateway}%${r.interface ?? ""}`.replace(/%$/, "") : (r.interface ?? "");
      return [
        {
          dynamic: "yes",
          ...(r.primary ? { active: "yes" } : {}),
          [isBgp ? "bgp" : "ospf"]: "yes",
          "dst-address": r.prefix,
          gateway,
          // RouterOS's default distances: OSPF 110, eBGP 20, iBGP 200
          distance: isBgp ? (ibgp ? "200" : "20") : "110",
          scope: isBgp ? "40" : "20",
          "target-scope": isBgp ? (ibgp ? "30" : "10") : "10",
        },
      ];
    });
  }

  wireguardPeer(iface: string, publicKey: string): LiveRow | undefined {
    if (!IFNAME.test(iface) || !this.made.has(iface)) return undefined;
    const now = this.now().getTime();
    let cached = this.wgCache.get(iface);
    if (!cached || now - cached.at > 500) {
      cached = { at: now, peers: parseWgDump(execTool("wg", ["show", iface, "dump"]).out) };
      this.wgCache.set(iface, cached);
    }
    const p = cached.peers.find((x) => x.publicKey === publicKey);
    if (!p) return undefined;
    const row: LiveRow = {};
    const ep = p.endpoint ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(p.endpoint) : null;
    if (ep) {
      row["current-endpoint-address"] = ep[1] as string;
      row["current-endpoint-port"] = ep[2] as string;
    }
    row.rx = bytes(p.rx);
    row.tx = bytes(p.tx);
    if (p.latestHandshake > 0)
      row["last-handshake"] = formatTime(Math.max(0, Math.floor(now / 1000) - p.latestHandshake));
    return row;
  }
}

/** The age of bird's "Since" column when it is a time of day (today, UTC) as RouterOS spells it. */
function sinceAge(since: string | undefined, now: Date): string | undefined {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.\d+)?$/.exec(since ?? "");
  if (!m) return undefined;
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let at = day + (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000;
  if (at > now.getTime() + 1000) at -= 86_400_000; // yesterday's time of day
  return formatTime(Math.max(0, Math.floor((now.getTime() - at) / 1000)));
}

/** RouterOS's byte counts: plain below 1 KiB, then one decimal (`180`, `5.3KiB`). */
export function bytes(n: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (n < 1024) return String(n);
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Math.round(v * 10) / 10}${units[u]}`;
}
