// Parses FRR configuration text, either /etc/frr/frr.conf or the output of
// `vtysh -c 'show running-config'`, into the model. Blocks are read by FRR's indentation (what
// running-config prints and render writes). Lines the model does not express are kept, as valid
// FRR text inside their block (`router bgp 64500` + ` bgp log-neighbor-changes`), in raw.frr,
// so the planner reports them and a desired raw snippet compares equal to what FRR runs.
// Ignored: running-config's own header and footer, `frr version`, `frr defaults`, `hostname`,
// `service integrated-vtysh-config`, `!` comments, `exit`, interface descriptions and zebra's
// `[no] ip[v6] forwarding` (forwarding is read from sysctl).

import { canonAddress, compareText } from "../../model/canonical.ts";
import { parseAddress } from "../../model/ip.ts";
import type {
  Bgp,
  BgpNeighbor,
  Ospf,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
} from "../../schema/device.ts";
import { FRR_INSTANCE_NAME, SECRET_SET } from "./defaults.ts";
import { redactFrr } from "./redact.ts";
import { FRR_RAW_BEGIN, FRR_RAW_END, FRR_V2_TYPE } from "./render-frr.ts";

export interface ParsedFrr {
  ospf?: Ospf;
  bgp?: Bgp;
  static_routes?: StaticRoute[];
  raw?: string;
  unrecognized: string[];
}

interface Block {
  head: string;
  lines: string[];
}

const IGNORED_TOP = [
  /^Building configuration\.\.\.$/,
  /^Current configuration:$/,
  /^frr version /,
  /^frr defaults /,
  /^hostname /,
  /^service integrated-vtysh-config$/,
  /^(no )?ipv?6? ?forwarding$/,
  /^(end|exit)$/,
];

const TYPE_FROM_FRR: Record<string, NonNullable<OspfInterface["type"]>> = Object.fromEntries(
  Object.entries(FRR_V2_TYPE).map(([k, v]) => [v, k as NonNullable<OspfInterface["type"]>]),
);

const int = (w: string | undefined) => (w !== undefined && /^[0-9]{1,10}$/.test(w) ? Number(w) : undefined);
const isIp = (w: string | undefined) => w !== undefined && parseAddress(w) !== undefined;
/** The variable a secret placeholder names, or SECRET_SET for a secret that is there (redacted or not). */
const secretEnv = (w: string | undefined) => /^@secret:([A-Z_][A-Z0-9_]*)@$/.exec(w ?? "")?.[1] ?? SECRET_SET;
function splitBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const raw of lines) {
    // trimEnd, not /\s+$/: that regex retries from every blank of a long run, quadratic in it.
    const line = raw.trimEnd();
    if (line.trim() === "" || /^\s*!/.test(line)) continue;
    if (/^\s/.test(line)) {
      if (current) current.lines.push(line);
      else blocks.push({ head: line.trim(), lines: [] });
      continue;
    }
    if (line === "exit" || line === "end") {
      current = undefined;
      continue;
    }
    current = { head: line, lines: [] };
    blocks.push(current);
  }
  return blocks;
}

interface IfaceOspf {
  area?: string;
  params: OspfInterface;
  lines: string[];
}

class FrrReader {
  readonly raw: string[] = [];
  readonly unrecognized: string[] = [];
  readonly v2 = new Map<string, IfaceOspf>();
  readonly v3 = new Map<string, IfaceOspf>();
  readonly routes: StaticRoute[] = [];
  ospf2?: {
    routerId?: string;
    redistribute: Set<string>;
    stubAreas: Set<string>;
    networks: [string, string][];
  };
  ospf3?: { routerId?: string; redistribute: Set<string>; stubAreas: Set<string> };
  bgp?: Bgp;

  keep(text: string): void {
    const shown = redactFrr(text);
    this.raw.push(shown);
    this.unrecognized.push(shown.replace(/\n\s*/g, " / "));
  }

  ifaceEntry(map: Map<string, IfaceOspf>, name: string): IfaceOspf {
    let e = map.get(name);
    if (!e) {
      e = { params: { name }, lines: [] };
      map.set(name, e);
    }
    return e;
  }

  iface(block: Block, name: string): void {
    const other: string[] = [];
    for (const line of block.lines) {
      const w = line.trim().split(/\s+/);
      const v2 = w[0] === "ip" && w[1] === "ospf";
      const v3 = w[0] === "ipv6" && w[1] === "ospf6";
      if (w[0] === "description") continue;
      if (!v2 && !v3) {
        other.push(line);
        continue;
      }
      const e = this.ifaceEntry(v2 ? this.v2 : this.v3, name);
      const p = e.params;
      const [, , key, a, b, c, d, f] = w;
      const n = w.length === 4 ? int(a) : undefined;
      let ok = true;
      if (key === "area" && w.length === 4 && a) e.area = a;
      else if (key === "cost" && n !== undefined) p.cost = n;
      else if (key === "hello-interval" && n !== undefined) p.hello = n;
      else if (key === "dead-interval" && n !== undefined) p.dead = n;
      else if (key === "retransmit-interval" && n !== undefined) p.retransmit = n;
      else if (key === "passive" && w.length === 3) p.passive = true;
      else if (key === "network" && w.length === 4 && a && TYPE_FROM_FRR[a]) {
        const type = TYPE_FROM_FRR[a];
        if (v3 && type !== "ptp" && type !== "broadcast") ok = false;
        else p.type = type;
      } else if (v2 && key === "authentication" && w.length === 3)
        p.authentication = { ...p.authentication, type: "simple" };
      else if (v2 && key === "authentication" && w.length === 4 && a === "message-digest") {
        p.authentication = { ...p.authentication, type: "cryptographic" };
      } else if (v2 && key === "authentication" && w.length === 4 && a === "null")
        p.authentication = { type: "none" };
      else if (v2 && key === "message-digest-key" && w.length === 6 && int(a) !== undefined && b === "md5") {
        p.authentication = {
          type: p.authentication?.type ?? "none",
          key_id: int(a),
          password_env: secretEnv(c),
        };
      } else if (v2 && key === "authentication-key" && w.length === 4) {
        p.authentication = { type: p.authentication?.type ?? "none", password_env: secretEnv(a) };
      } else if (
        v3 &&
        key === "authentication" &&
        a === "key-id" &&
        int(b) !== undefined &&
        c === "hash-algo" &&
        d === "hmac-sha-256" &&
        f === "key" &&
        w.length === 9
      ) {
        p.authentication = { type: "cryptographic", key_id: int(b), password_env: secretEnv(w[8]) };
      } else ok = false;
      if (ok) e.lines.push(line);
      else other.push(line);
    }
    if (other.length > 0) this.keep([block.head, ...other].join("\n"));
  }

  routerOspf(block: Block, version: 2 | 3): void {
    const state = {
      redistribute: new Set<string>(),
      stubAreas: new Set<string>(),
      networks: [] as [string, string][],
    };
    let routerId: string | undefined;
    const other: string[] = [];
    for (const line of block.lines) {
      const w = line.trim().split(/\s+/);
      const joined = w.join(" ");
      const routerIdAt = w[0] === (version === 2 ? "ospf" : "ospf6") ? 1 : version === 2 ? 0 : -1;
      if (routerIdAt >= 0 && w[routerIdAt] === "router-id" && w.length === routerIdAt + 2 && isIp(w.at(-1))) {
        routerId = w.at(-1);
      } else if (
        w[0] === "redistribute" &&
        w.length === 2 &&
        ["connected", "static", "bgp"].includes(w[1] ?? "")
      ) {
        state.redistribute.add(w[1] as string);
      } else if (w[0] === "area" && w.length === 3 && w[2] === "stub" && w[1]) state.stubAreas.add(w[1]);
      else if (version === 2 && w[0] === "network" && w.length === 4 && w[2] === "area") {
        state.networks.push([w[1] as string, w[3] as string]);
      } else if (version === 2 && w[0] === "passive-interface" && w.length === 2 && w[1] !== "default") {
        // The old form; FRR 8.4 shows it as `ip ospf passive` in the interface.
        const e = this.ifaceEntry(this.v2, w[1] as string);
        e.params.passive = true;
        e.lines.push(joined);
      } else if (version === 3 && w[0] === "interface" && w.length === 4 && w[2] === "area") {
        this.ifaceEntry(this.v3, w[1] as string).area = w[3];
      } else other.push(line);
    }
    if (version === 2) this.ospf2 = { routerId, ...state };
    else this.ospf3 = { routerId, redistribute: state.redistribute, stubAreas: state.stubAreas };
    if (other.length > 0) this.keep([block.head, ...other].join("\n"));
  }

  routerBgp(block: Block, asn: number): void {
    const neighbors = new Map<string, BgpNeighbor & { v4?: boolean; v6?: boolean }>();
    const announce: string[] = [];
    const bgp: Bgp = { asn, neighbors: [] };
    const other: string[] = [];
    const defaultV4 = !block.lines.some((l) => l.trim() === "no bgp default ipv4-unicast");
    const neighbor = (addr: string) => {
      let n = neighbors.get(addr);
      if (!n) {
        n = { address: addr, remote_asn: 0 };
        neighbors.set(addr, n);
      }
      return n;
    };
    let family: "ipv4" | "ipv6" | undefined;
    let afOther: string[] = [];
    const closeAf = () => {
      if (family && afOther.length > 0)
        other.push(` address-family ${family} unicast`, ...afOther, " exit-address-family");
      family = undefined;
      afOther = [];
    };
    for (const line of block.lines) {
      const w = line.trim().split(/\s+/);
      if (w[0] === "address-family") {
        closeAf();
        if (w.length === 3 && (w[1] === "ipv4" || w[1] === "ipv6") && w[2] === "unicast") family = w[1];
        else other.push(line);
        continue;
      }
      if (w[0] === "exit-address-family") {
        closeAf();
        continue;
      }
      if (family) {
        const addr = w[0] === "no" ? w[2] : w[1];
        if (w[0] === "network" && w.length === 2) announce.push(w[1] as string);
        else if (w[0] === "neighbor" && w.length === 3 && isIp(addr) && w[2] === "route-reflector-client") {
          neighbor(addr as string).route_reflector_client = true;
        } else if (w[0] === "neighbor" && w.length === 3 && isIp(addr) && w[2] === "next-hop-self") {
          neighbor(addr as string).next_hop_self = true;
        } else if (w[0] === "neighbor" && w.length === 3 && isIp(addr) && w[2] === "activate") {
          neighbor(addr as string)[family === "ipv4" ? "v4" : "v6"] = true;
        } else if (
          w[0] === "no" &&
          w[1] === "neighbor" &&
          w.length === 4 &&
          isIp(addr) &&
          w[3] === "activate"
        ) {
          neighbor(addr as string)[family === "ipv4" ? "v4" : "v6"] = false;
        } else afOther.push(line);
        continue;
      }
      const addr = w[1];
      if (w[0] === "bgp" && w[1] === "router-id" && w.length === 3 && isIp(w[2])) bgp.router_id = w[2];
      else if (w[0] === "bgp" && w[1] === "cluster-id" && w.length === 3 && isIp(w[2])) bgp.cluster_id = w[2];
      else if (w[0] === "neighbor" && isIp(addr) && w[2] === "remote-as" && w.length === 4) {
        const remote = w[3] === "internal" ? asn : int(w[3]);
        if (remote === undefined) other.push(line);
        else neighbor(addr as string).remote_asn = remote;
      } else if (w[0] === "neighbor" && isIp(addr) && w[2] === "description" && w.length > 3) {
        neighbor(addr as string).description = line.trim().split(/\s+/).slice(3).join(" ");
      } else if (
        w[0] === "neighbor" &&
        isIp(addr) &&
        w[2] === "update-source" &&
        w.length === 4 &&
        isIp(w[3])
      ) {
        neighbor(addr as string).update_source = w[3];
      } else if (w[0] === "neighbor" && isIp(addr) && w[2] === "password" && w.length >= 4) {
        neighbor(addr as string).password_env = secretEnv(w.length === 4 ? w[3] : undefined);
      } else other.push(line);
    }
    closeAf();
    for (const n of neighbors.values()) {
      const { v4, v6, ...rest } = n;
      const families: ("ipv4" | "ipv6")[] = [];
      if (v4 ?? defaultV4) families.push("ipv4");
      if (v6) families.push("ipv6");
      rest.address_families = families;
      if (rest.remote_asn === 0) {
        other.push(` neighbor ${rest.address} (no remote-as)`);
        continue;
      }
      bgp.neighbors.push(rest);
    }
    if (announce.length > 0) bgp.announce = announce;
    this.bgp = bgp;
    if (other.length > 0) this.keep([block.head, ...other].join("\n"));
  }

  staticRoute(line: string): boolean {
    const w = line.split(/\s+/);
    const v6 = w[0] === "ipv6";
    const prefix = w[2];
    if (!prefix?.includes("/")) return false;
    const route: StaticRoute = { prefix };
    let rest = w.slice(3);
    const last = rest.at(-1);
    if (rest.length > 1 && int(last) !== undefined) {
      route.distance = int(last);
      rest = rest.slice(0, -1);
    }
    const [a, b] = rest;
    if (rest.length === 1 && (a === "blackhole" || a === "Null0")) route.blackhole = true;
    else if (rest.length >= 1 && isIp(a) && (parseAddress(a as string)?.family === 6) === v6) {
      route.via = a;
      if (rest.length === 2) route.interface = b;
      else if (rest.length > 2) return false;
    } else if (rest.length === 1 && a && !isIp(a) && int(a) === undefined && a !== "reject")
      route.interface = a;
    else return false;
    this.routes.push(route);
    return true;
  }
}

function splitRaw(text: string): { rest: string[]; raw?: string } {
  const lines = text.split("\n");
  const begin = lines.findIndex((l) => l.trim() === FRR_RAW_BEGIN);
  const end = lines.findIndex((l, i) => i > begin && l.trim() === FRR_RAW_END);
  if (begin < 0 || end < 0) return { rest: lines };
  const raw = lines.slice(begin + 1, end).join("\n");
  return {
    rest: [...lines.slice(0, begin), ...lines.slice(end + 1)],
    raw: raw === "" ? undefined : `${raw}\n`,
  };
}

function areasOf(
  ifaces: Map<string, IfaceOspf>,
  stubAreas: Set<string>,
  networks: [string, string][],
  r: FrrReader,
  head: string,
): OspfArea[] {
  const areas = new Map<string, OspfArea>();
  const area = (id: string) => {
    const key = canonAddress(
      /^[0-9]+$/.test(id) ? [24, 16, 8, 0].map((s) => (Number(id) >>> s) & 255).join(".") : id,
    );
    let a = areas.get(key);
    if (!a) {
      a = { id: key };
      areas.set(key, a);
    }
    return a;
  };
  for (const [name, e] of [...ifaces.entries()].sort(([a], [b]) => compareText(a, b))) {
    if (e.area === undefined) {
      // OSPF parameters on an interface that is in no area: not expressible, kept as text.
      if (e.lines.length > 0) r.keep([`interface ${name}`, ...e.lines].join("\n"));
      continue;
    }
    const a = area(e.area);
    a.interfaces = [...(a.interfaces ?? []), e.params];
  }
  for (const [prefix, id] of networks) {
    const a = area(id);
    a.stub_networks = [...(a.stub_networks ?? []), prefix];
  }
  for (const id of stubAreas) area(id).stub = true;
  if (areas.size === 0 && ifaces.size > 0) r.unrecognized.push(`${head}: interfaces without an area`);
  return [...areas.values()];
}

/** Parses frr.conf text or `show running-config` output. */
export function parseFrrConf(text: string): ParsedFrr {
  const { rest, raw } = splitRaw(text);
  const r = new FrrReader();
  for (const block of splitBlocks(rest)) {
    const head = block.head;
    const w = head.split(/\s+/);
    if (block.lines.length === 0 && IGNORED_TOP.some((re) => re.test(head))) continue;
    if (w[0] === "interface" && w.length === 2 && w[1]) r.iface(block, w[1]);
    else if (head === "router ospf") r.routerOspf(block, 2);
    else if (head === "router ospf6") r.routerOspf(block, 3);
    else if (w[0] === "router" && w[1] === "bgp" && w.length === 3 && int(w[2]) !== undefined && !r.bgp) {
      r.routerBgp(block, int(w[2]) as number);
    } else if (
      (w[0] === "ip" || w[0] === "ipv6") &&
      w[1] === "route" &&
      block.lines.length === 0 &&
      r.staticRoute(head)
    ) {
      // a static route
    } else r.keep([head, ...block.lines].join("\n"));
  }
  const out: ParsedFrr = { unrecognized: r.unrecognized };
  const instances: OspfInstance[] = [];
  if (r.ospf2 || [...r.v2.values()].some((e) => e.area !== undefined)) {
    const o = r.ospf2;
    const inst: OspfInstance = {
      name: FRR_INSTANCE_NAME[2],
      version: 2,
      address_family: "ipv4",
      areas: areasOf(r.v2, o?.stubAreas ?? new Set(), o?.networks ?? [], r, "router ospf"),
    };
    if (o?.routerId) inst.router_id = o.routerId;
    if (o && o.redistribute.size > 0) inst.redistribute = [...o.redistribute] as OspfInstance["redistribute"];
    instances.push(inst);
  } else areasOf(r.v2, new Set(), [], r, "router ospf");
  if (r.ospf3 || [...r.v3.values()].some((e) => e.area !== undefined)) {
    const o = r.ospf3;
    const inst: OspfInstance = {
      name: FRR_INSTANCE_NAME[3],
      version: 3,
      address_family: "ipv6",
      areas: areasOf(r.v3, o?.stubAreas ?? new Set(), [], r, "router ospf6"),
    };
    if (o?.routerId) inst.router_id = o.routerId;
    if (o && o.redistribute.size > 0) inst.redistribute = [...o.redistribute] as OspfInstance["redistribute"];
    instances.push(inst);
  } else areasOf(r.v3, new Set(), [], r, "router ospf6");
  if (instances.length > 0) {
    const routerId = instances.find((i) => i.router_id)?.router_id ?? "0.0.0.0";
    out.ospf = { router_id: routerId, instances };
  }
  if (r.bgp) out.bgp = r.bgp;
  if (r.routes.length > 0) out.static_routes = r.routes;
  const rawText = [raw, ...r.raw.map((t) => `${t}\n`)].filter((t): t is string => t !== undefined).join("");
  if (rawText !== "") out.raw = rawText;
  return out;
}
