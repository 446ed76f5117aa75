// Parses a bird.conf back into the model: the statements render-bird.ts writes, in any layout and
// with any values (a hand edit from `cost 10;` to `cost 50;` reads as cost 50). Nothing is lost:
// - the raw section (between its marker comments) comes back verbatim as raw.bird;
// - a top-level statement that is not understood is appended to raw.bird as written;
// - a statement not understood inside an understood block (an OSPF interface's `priority 100;`)
//   is appended to raw.bird as a "# reconciler: not understood in ..." line, while the rest of the
//   block is still read;
// so the planner reports every hand edit. `unrecognized` lists the same things, one per entry.

import { familyOf } from "../../model/canonical.ts";
import type {
  Bgp,
  BgpNeighbor,
  Ospf,
  OspfArea,
  OspfInstance,
  OspfInterface,
  StaticRoute,
} from "../../schema/device.ts";
import { canonicalStatement, parseBirdSyntax, type Statement, sourceOf, words } from "./bird-syntax.ts";
import { OutputFormatError } from "./parse-error.ts";
import {
  BIRD_DEVICE_PROTOCOL,
  BIRD_DIRECT_PROTOCOL,
  BIRD_RAW_BEGIN,
  BIRD_RAW_END,
  BIRD_REDISTRIBUTE_SOURCE,
  birdKernelProtocol,
} from "./render-bird.ts";
import { parseBirdSecretPath } from "./secrets.ts";

export interface ParsedBird {
  ospf?: Ospf;
  bgp?: Bgp;
  static_routes?: StaticRoute[];
  raw?: string;
  unrecognized: string[];
}

const canonicalOf = (lines: string[]) => parseBirdSyntax(lines.join("\n")).map(canonicalStatement).join(" ");
/** Fixed statements render writes; recognised only as written (modulo layout). */
const SCAFFOLD = new Set([
  "log syslog all;",
  canonicalOf(BIRD_DEVICE_PROTOCOL),
  canonicalOf(BIRD_DIRECT_PROTOCOL),
  canonicalOf(birdKernelProtocol("ipv4")),
  canonicalOf(birdKernelProtocol("ipv6")),
]);

const OSPF_TYPES: Record<string, NonNullable<OspfInterface["type"]>> = {
  broadcast: "broadcast",
  bcast: "broadcast",
  pointopoint: "ptp",
  ptp: "ptp",
  nonbroadcast: "nbma",
  nbma: "nbma",
  pointomultipoint: "ptmp",
  ptmp: "ptmp",
};
const SOURCE_TO_REDISTRIBUTE = Object.fromEntries(
  Object.entries(BIRD_REDISTRIBUTE_SOURCE).map(([k, v]) => [v, k as keyof typeof BIRD_REDISTRIBUTE_SOURCE]),
);

const int = (w: string | undefined) => (w !== undefined && /^[0-9]{1,10}$/.test(w) ? Number(w) : undefined);
/** bird's switches: a bare keyword means yes. */
const bool = (w: string | undefined): boolean | undefined =>
  w === undefined || ["yes", "on", "true"].includes(w)
    ? true
    : ["no", "off", "false"].includes(w)
      ? false
      : undefined;
/** Area and router ids: dotted, or a plain number as bird also accepts. */
function dotted(w: string | undefined): string | undefined {
  if (w === undefined) return undefined;
  if (/^[0-9]+(\.[0-9]+){3}$/.test(w)) return w;
  const n = int(w);
  if (n === undefined || n > 0xffffffff) return undefined;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}
const redactPasswords = (text: string) => text.replace(/(password\s+)"[^"\n]*"/g, '$1"(hidden)"');

class Reader {
  readonly notes: string[] = [];
  readonly unrecognized: string[] = [];
  constructor(readonly text: string) {}

  /** A statement inside an understood block that is not understood itself. */
  note(context: string, s: Statement): void {
    const line = `# reconciler: not understood in ${context}: ${redactPasswords(sourceOf(this.text, s))}`;
    this.notes.push(line);
    this.unrecognized.push(line.slice(2));
  }

  /** A set [ A, B, C ] from a slice of tokens; undefined if it is not one. */
  setItems(tokens: string[]): string[] | undefined {
    if (tokens[0] !== "[" || tokens[tokens.length - 1] !== "]") return undefined;
    const inner = tokens.slice(1, -1);
    const items: string[] = [];
    for (let i = 0; i < inner.length; i++) {
      if (i % 2 === 1) {
        if (inner[i] !== ",") return undefined;
      } else items.push(inner[i] as string);
    }
    return items;
  }

  ospfChannel(s: Statement, context: string, redistribute: Set<string>): void {
    for (const sub of s.body ?? []) {
      const w = words(sub);
      const joined = w.join(" ");
      if (joined === "import all" || joined === "export none") continue;
      if (w.slice(0, 4).join(" ") === "export where source ~") {
        const items = this.setItems(w.slice(4));
        const mapped = items?.map((i) => SOURCE_TO_REDISTRIBUTE[i]);
        if (mapped?.every((m) => m !== undefined)) {
          for (const m of mapped) redistribute.add(m as string);
          continue;
        }
      }
      this.note(`${context} > ${s.head[0]?.text ?? "channel"}`, sub);
    }
  }

  ospfInterface(s: Statement, context: string): OspfInterface | undefined {
    const w = words(s);
    const name = s.head[1];
    if (w.length !== 2 || name?.kind !== "string" || /[*?]/.test(name.text) || name.text.startsWith("-")) {
      return undefined;
    }
    const iface: OspfInterface = { name: name.text };
    const here = `${context} > interface "${name.text}"`;
    let deadCount: number | undefined;
    for (const sub of s.body ?? []) {
      const sw = words(sub);
      const [key, value] = sw;
      const n = sw.length === 2 ? int(value) : undefined;
      if (sub.body) this.note(here, sub);
      else if (key === "cost" && n !== undefined) iface.cost = n;
      else if (key === "hello" && n !== undefined) iface.hello = n;
      else if (key === "retransmit" && n !== undefined) iface.retransmit = n;
      else if (key === "wait" && n !== undefined) iface.wait = n;
      else if (key === "dead" && n !== undefined) iface.dead = n;
      else if (key === "dead" && value === "count" && sw.length === 3 && int(sw[2]) !== undefined) {
        deadCount = int(sw[2]);
      } else if (key === "type" && sw.length === 2 && value && OSPF_TYPES[value])
        iface.type = OSPF_TYPES[value];
      else if (key === "stub" && sw.length <= 2 && bool(value) !== undefined) iface.passive = bool(value);
      else if (
        key === "authentication" &&
        sw.length === 2 &&
        ["none", "simple", "cryptographic"].includes(value ?? "")
      ) {
        iface.authentication = {
          ...iface.authentication,
          type: value as "none" | "simple" | "cryptographic",
        };
      } else if (key === "include" && sub.head[1]?.kind === "string" && sw.length === 2) {
        const secret = parseBirdSecretPath(sub.head[1].text);
        if (secret?.kind === "ospf") {
          iface.authentication = {
            type: iface.authentication?.type ?? "none",
            password_env: secret.env,
            ...(secret.keyId !== undefined ? { key_id: secret.keyId } : {}),
          };
        } else this.note(here, sub);
      } else this.note(here, sub);
    }
    if (deadCount !== undefined && iface.dead === undefined) iface.dead = deadCount * (iface.hello ?? 10);
    if (iface.passive === false) delete iface.passive;
    return iface;
  }

  area(s: Statement, context: string): OspfArea | undefined {
    const w = words(s);
    const id = w.length === 2 ? dotted(w[1]) : undefined;
    if (!id || !s.body) return undefined;
    const area: OspfArea = { id };
    const here = `${context} > area ${w[1]}`;
    for (const sub of s.body) {
      const sw = words(sub);
      if (sw[0] === "stub" && !sub.body && sw.length <= 2 && bool(sw[1]) !== undefined) {
        if (bool(sw[1])) area.stub = true;
      } else if (sw[0] === "stubnet" && sw.length === 2 && !sub.body) {
        area.stub_networks = [...(area.stub_networks ?? []), sw[1] as string];
      } else if (sw[0] === "interface") {
        const iface = this.ospfInterface(sub, here);
        if (iface) area.interfaces = [...(area.interfaces ?? []), iface];
        else this.note(here, sub);
      } else this.note(here, sub);
    }
    return area;
  }

  ospf(s: Statement, index: number): OspfInstance | undefined {
    const w = words(s);
    let at = 2;
    let version: 2 | 3 = 2;
    if (w[2] === "v2" || w[2] === "v3") {
      version = w[2] === "v2" ? 2 : 3;
      at = 3;
    }
    if (w.length > at + 1 || !s.body) return undefined;
    const name = w[at] ?? `ospf${index}`;
    const inst: OspfInstance = { name, version, areas: [] };
    const here = `protocol ospf ${name}`;
    const redistribute = new Set<string>();
    let family: "ipv4" | "ipv6" | undefined;
    for (const sub of s.body) {
      const sw = words(sub);
      if ((sw[0] === "ipv4" || sw[0] === "ipv6") && sw.length === 1 && !family) {
        family = sw[0];
        if (sub.body) this.ospfChannel(sub, here, redistribute);
      } else if (sw[0] === "router" && sw[1] === "id" && sw.length === 3 && dotted(sw[2])) {
        inst.router_id = dotted(sw[2]);
      } else if (sw[0] === "area") {
        const area = this.area(sub, here);
        if (area) inst.areas.push(area);
        else this.note(here, sub);
      } else this.note(here, sub);
    }
    inst.address_family = family ?? (version === 2 ? "ipv4" : "ipv6");
    if (redistribute.size > 0) inst.redistribute = [...redistribute] as OspfInstance["redistribute"];
    return inst;
  }

  /** A BGP channel's export filter: the announced prefixes and whether BGP routes go out too. */
  bgpExport(w: string[]): { announce: string[]; bgp: boolean } | undefined {
    if (w.join(" ") === "export none") return { announce: [], bgp: false };
    if (w[0] !== "export" || w[1] !== "where") return undefined;
    let rest = w.slice(2);
    let bgp = false;
    if (rest.slice(0, 3).join(" ") === "source = RTS_BGP") {
      bgp = true;
      rest = rest.slice(3);
      if (rest.length === 0) return { announce: [], bgp };
      if (rest[0] !== "|" || rest[1] !== "|") return undefined;
      rest = rest.slice(2);
    }
    if (rest[0] !== "net" || rest[1] !== "~") return undefined;
    const items = this.setItems(rest.slice(2));
    return items ? { announce: items, bgp } : undefined;
  }

  bgp(
    s: Statement,
  ):
    | (BgpNeighbor & { localAs?: number; routerId?: string; clusterId?: string; announce: string[] })
    | undefined {
    const w = words(s);
    if (w.length > 3 || !s.body) return undefined;
    const here = `protocol bgp ${w[2] ?? ""}`.trim();
    const n: BgpNeighbor & { localAs?: number; routerId?: string; clusterId?: string; announce: string[] } = {
      address: "",
      remote_asn: 0,
      announce: [],
    };
    const families: ("ipv4" | "ipv6")[] = [];
    for (const sub of s.body) {
      const sw = words(sub);
      const head = sub.head;
      if (sw[0] === "description" && head[1]?.kind === "string" && sw.length === 2)
        n.description = head[1].text;
      else if (sw[0] === "local" && !sub.body && this.local(sw, n)) continue;
      else if (sw[0] === "neighbor" && sw.length === 4 && sw[2] === "as" && int(sw[3]) !== undefined) {
        n.address = sw[1] as string;
        n.remote_asn = int(sw[3]) as number;
      } else if (sw.join(" ").startsWith("source address ") && sw.length === 3) n.update_source = sw[2];
      else if (sw[0] === "router" && sw[1] === "id" && sw.length === 3 && dotted(sw[2]))
        n.routerId = dotted(sw[2]);
      else if (sw[0] === "rr" && sw[1] === "client" && sw.length <= 3 && bool(sw[2]) !== undefined) {
        if (bool(sw[2])) n.route_reflector_client = true;
      } else if (sw.slice(0, 3).join(" ") === "rr cluster id" && sw.length === 4 && dotted(sw[3])) {
        n.clusterId = dotted(sw[3]);
      } else if (sw[0] === "include" && head[1]?.kind === "string" && sw.length === 2) {
        const secret = parseBirdSecretPath(head[1].text);
        if (secret?.kind === "bgp") n.password_env = secret.env;
        else this.note(here, sub);
      } else if ((sw[0] === "ipv4" || sw[0] === "ipv6") && sw.length === 1) {
        families.push(sw[0]);
        for (const c of sub.body ?? []) {
          const cw = words(c);
          const exp = this.bgpExport(cw);
          if (cw.join(" ") === "import all") continue;
          if (exp) n.announce.push(...exp.announce.filter((p) => familyOf(p) === sw[0]));
          else if (
            cw[0] === "next" &&
            cw[1] === "hop" &&
            cw[2] === "self" &&
            cw.length <= 4 &&
            bool(cw[3]) !== undefined
          ) {
            if (bool(cw[3])) n.next_hop_self = true;
          } else this.note(`${here} > ${sw[0]}`, c);
        }
      } else this.note(here, sub);
    }
    if (!n.address || !n.remote_asn) return undefined;
    n.address_families = families;
    return n;
  }

  /** local [ip] [as N] */
  local(sw: string[], n: { update_source?: string; localAs?: number }): boolean {
    const rest = sw.slice(1);
    if (rest.length === 0) return false;
    let i = 0;
    const ip = rest[0] !== "as" ? rest[0] : undefined;
    if (ip) i = 1;
    if (i < rest.length) {
      if (rest[i] !== "as" || int(rest[i + 1]) === undefined || rest.length !== i + 2) return false;
      n.localAs = int(rest[i + 1]);
    }
    if (ip) n.update_source = ip;
    return true;
  }

  staticRoute(sub: Statement, here: string): StaticRoute | undefined {
    const sw = words(sub);
    if (sw[0] !== "route" || sw.length < 3) return undefined;
    const route: StaticRoute = { prefix: sw[1] as string };
    const rest = sw.slice(2);
    const tokens = sub.head.slice(2);
    if (rest.length === 1 && (rest[0] === "blackhole" || rest[0] === "drop")) route.blackhole = true;
    else if (rest[0] === "via" && rest.length === 2 && tokens[1]?.kind === "string")
      route.interface = rest[1];
    else if (rest[0] === "via" && rest.length === 2 && tokens[1]?.kind === "word") route.via = rest[1];
    else if (rest[0] === "via" && rest.length === 4 && rest[2] === "%" && tokens[1]?.kind === "word") {
      route.via = rest[1];
      route.interface = rest[3];
    } else return undefined;
    for (const opt of sub.body ?? []) {
      const ow = words(opt);
      const pref = ow.length === 3 && ow[0] === "preference" && ow[1] === "=" ? int(ow[2]) : undefined;
      if (pref !== undefined && pref >= 1 && pref <= 255) route.distance = 256 - pref;
      else this.note(`${here} > route ${route.prefix}`, opt);
    }
    return route;
  }

  staticProtocol(s: Statement, routes: StaticRoute[]): boolean {
    const w = words(s);
    if (w.length > 3 || !s.body) return false;
    const here = `protocol static ${w[2] ?? ""}`.trim();
    for (const sub of s.body) {
      const sw = words(sub);
      if ((sw[0] === "ipv4" || sw[0] === "ipv6") && sw.length === 1 && !sub.body) continue;
      const route = sw[0] === "route" ? this.staticRoute(sub, here) : undefined;
      if (route) routes.push(route);
      else this.note(here, sub);
    }
    return true;
  }
}

/** Splits out the raw section written between the marker comments; the rest is parsed. */
function splitRaw(text: string): { rest: string; raw?: string } {
  const lines = text.split("\n");
  const begin = lines.findIndex((l) => l.trim() === BIRD_RAW_BEGIN);
  const end = lines.findIndex((l, i) => i > begin && l.trim() === BIRD_RAW_END);
  if (begin < 0 || end < 0) return { rest: text };
  const raw = lines.slice(begin + 1, end).join("\n");
  const rest = [...lines.slice(0, begin), ...lines.slice(end + 1)].join("\n");
  return { rest, raw: raw === "" ? undefined : `${raw}\n` };
}

/**
 * bird.conf text (as read from a device) in the model's terms. Never throws on content it does not
 * understand (that goes to raw); throws OutputFormatError only for blocks nested so deeply that
 * reading them would exhaust the stack (bird-syntax.ts reads blocks recursively). bird itself never
 * writes such a file: it comes from a broken or hostile device.
 */
export function parseBirdConf(text: string): ParsedBird {
  try {
    return readBirdConf(text);
  } catch (err) {
    if (err instanceof RangeError)
      throw new OutputFormatError("bird.conf", "blocks nested too deeply to read");
    throw err;
  }
}

function readBirdConf(text: string): ParsedBird {
  const { rest, raw } = splitRaw(text);
  const r = new Reader(rest);
  const verbatim: string[] = [];
  let routerId: string | undefined;
  const instances: OspfInstance[] = [];
  const neighbors: NonNullable<ReturnType<Reader["bgp"]>>[] = [];
  const routes: StaticRoute[] = [];
  for (const s of parseBirdSyntax(rest)) {
    const w = words(s);
    let understood = SCAFFOLD.has(canonicalStatement(s));
    if (!understood && w[0] === "router" && w[1] === "id" && w.length === 3 && dotted(w[2]) && !s.body) {
      routerId = dotted(w[2]);
      understood = true;
    } else if (!understood && w[0] === "protocol" && w[1] === "ospf") {
      const inst = r.ospf(s, instances.length + 1);
      if (inst) instances.push(inst);
      understood = inst !== undefined;
    } else if (!understood && w[0] === "protocol" && w[1] === "bgp") {
      const n = r.bgp(s);
      if (n) neighbors.push(n);
      understood = n !== undefined;
    } else if (!understood && w[0] === "protocol" && w[1] === "static") {
      understood = r.staticProtocol(s, routes);
    }
    if (!understood) {
      const source = redactPasswords(rest.slice(s.start, s.end));
      verbatim.push(source);
      r.unrecognized.push(redactPasswords(sourceOf(rest, s)));
    }
  }
  const out: ParsedBird = { unrecognized: r.unrecognized };
  if (instances.length > 0) {
    out.ospf = { router_id: routerId ?? instances[0]?.router_id ?? "0.0.0.0", instances };
  }
  if (neighbors.length > 0) {
    const first = neighbors[0];
    const bgp: Bgp = {
      asn: first?.localAs ?? 0,
      neighbors: neighbors.map(({ localAs: _l, routerId: _r, clusterId: _c, announce: _a, ...n }) => n),
    };
    const rid = neighbors.find((n) => n.routerId)?.routerId ?? routerId;
    if (rid) bgp.router_id = rid;
    const cluster = neighbors.find((n) => n.clusterId)?.clusterId;
    if (cluster) bgp.cluster_id = cluster;
    const announce = [...new Set(neighbors.flatMap((n) => n.announce))];
    if (announce.length > 0) bgp.announce = announce;
    for (const n of neighbors) {
      if (n.localAs !== undefined && n.localAs !== bgp.asn) {
        r.unrecognized.push(`protocol bgp for ${n.address}: local as ${n.localAs} differs from ${bgp.asn}`);
        r.notes.push(`# reconciler: not understood: local as ${n.localAs} for neighbour ${n.address}`);
      }
    }
    out.bgp = bgp;
  }
  if (routes.length > 0) out.static_routes = routes;
  const rawParts = [
    raw,
    ...verbatim.map((v) => `${v}\n`),
    r.notes.length > 0 ? `${r.notes.join("\n")}\n` : undefined,
  ];
  const rawText = rawParts.filter((p): p is string => p !== undefined).join("");
  if (rawText !== "") out.raw = rawText;
  return out;
}
