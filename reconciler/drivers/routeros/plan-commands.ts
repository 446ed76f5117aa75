// From the desired state and the live export to the minimal ordered list of RouterOS commands.
// Pure and deterministic.
//
// - Items are identified as RouterOS identifies them: interfaces, OSPF instances and BGP
//   connections by name (an ethernet by its default-name), peers by interface and public key,
//   addresses by address and interface, OSPF areas by instance and area id, interface templates
//   by area and interfaces, static routes by dst-address in the main table (never a dynamic one).
// - Both sides are compared after normalizeRouteros; a changed item gets `set [ find where ... ]`
//   with only the properties that differ, a new one `add`, dependencies first: bridges, VLANs,
//   ethernets, WireGuard interfaces, their peers, addresses, OSPF instance, area,
//   interface-template, BGP connection, routes, filter rules, IP settings; then the raw lines of
//   the desired state (in their order, each only when the device does not carry it already).
//   Removals come last, in reverse dependency order.
// - An item is removed only where the planner deletes it: inside a section git describes (a peer
//   of a desired interface, an OSPF template of a desired instance...), or, for a section or
//   shared item git no longer describes, only when it carries the reconciler's mark. Items the
//   model cannot read (unmanaged) are never touched.
// - A WireGuard interface is added without private-key: RouterOS generates it on the device.
// - Secrets go out as the placeholder @secret:ENV@, which apply substitutes (quoted).
import { canonAddress } from "../../model/canonical.ts";
import type { PlannedCommand } from "../../model/live.ts";
import type {
  Bgp,
  BgpNeighbor,
  DeviceIntent,
  FirewallRule,
  OspfInterface,
  StaticRoute,
  WireguardPeer,
} from "../../schema/device.ts";
import { type RouterosLive, selectorText } from "./live-state.ts";
import { canonAreaId, normalizeRouteros, normOspfInterface } from "./normalize.ts";
import { type ExportItem, parseExport } from "./parse-export.ts";
import { assertOneCommand, findWhere, formatProperties, menuPath, oneCommandProblem } from "./quote.ts";
import {
  formatDuration,
  MENU,
  markedComment,
  ROUTEROS_DEFAULTS,
  SECRET_SET,
  secretPlaceholder,
} from "./vocabulary.ts";

type Value = string | number | boolean;
type Props = [string, Value][];

/** The phases, in dependency order; removals run in the reverse of it. */
const PHASE = {
  bridge: 0,
  vlan: 1,
  ethernet: 2,
  wireguard: 3,
  peer: 4,
  address: 5,
  ospfInstance: 6,
  ospfArea: 7,
  ospfTemplate: 8,
  bgp: 9,
  route: 10,
  filter: 11,
  settings: 12,
} as const;
const PHASES = Object.keys(PHASE).length;

type Emit = (phase: number, c: PlannedCommand) => void;

function cmd(path: string, rest: string, description: string): PlannedCommand {
  return { line: assertOneCommand(`${menuPath(path)} ${rest}`), description };
}

const add = (path: string, props: Props, flags: string[], description: string) =>
  cmd(path, ["add", formatProperties(props), ...flags].filter((s) => s !== "").join(" "), description);

const set = (path: string, find: string, props: Props, description: string) =>
  cmd(path, `set ${find} ${formatProperties(props)}`, description);

const remove = (path: string, find: string, description: string) => cmd(path, `remove ${find}`, description);

const text = (v: Value | undefined) =>
  v === undefined ? "" : typeof v === "boolean" ? (v ? "yes" : "no") : String(v);

/**
 * The properties of `next` whose value differs from `now`, and those of `now` that `next` no
 * longer has, set to what clears them (`clear`, or "").
 */
function diffProps(next: Props, now: Props, clear: Record<string, Value> = {}): Props {
  const before = new Map(now.map(([k, v]) => [k, text(v)] as const));
  const out: Props = next.filter(([k, v]) => before.get(k) !== text(v));
  for (const [k] of now) if (!next.some(([nk]) => nk === k)) out.push([k, clear[k] ?? ""]);
  return out;
}

const keysOf = (p: Props) => p.map(([k]) => k).join(", ");
const names = (list: readonly string[]) => list.join(",");

/** The comment an item gets: its description, and the mark when the reconciler made it. */
const commentFor = (description: string | undefined, marked: boolean) =>
  marked ? markedComment(description) : (description ?? "");

export interface PlanOptions {
  /** A desired raw line that is not exactly one command: reported here (or thrown), never sent. */
  onRefusedRaw?: (line: string, problem: string) => void;
}

/** The commands that turn `live` into `desired`; empty when they already agree. */
export function planCommands(
  desired: DeviceIntent,
  live: RouterosLive,
  opts: PlanOptions = {},
): PlannedCommand[] {
  const want = normalizeRouteros(desired);
  const have = normalizeRouteros(live.state);
  const inv = live.inventory;
  const adds: PlannedCommand[][] = Array.from({ length: PHASES }, () => []);
  const removals: PlannedCommand[][] = Array.from({ length: PHASES }, () => []);
  const emit: Emit = (phase, c) => adds[phase]?.push(c);
  const drop: Emit = (phase, c) => removals[phase]?.push(c);
  const owned = new Set(live.owned);

  // Interfaces: bridges (RouterOS's stand-in for dummies and loopbacks), VLANs, ethernets.
  const haveInterfaces = new Map((have.interfaces ?? []).map((i) => [i.name, i] as const));
  const wantNames = new Set([...(want.interfaces ?? []), ...(want.wireguard ?? [])].map((i) => i.name));
  for (const i of want.interfaces ?? []) {
    if (i.kind === "loopback") continue; // lo is built in
    const ref = inv.interfaces.get(i.name);
    const path = i.kind === "vlan" ? MENU.vlan : i.kind === "ethernet" ? MENU.ethernet : MENU.bridge;
    const phase = i.kind === "vlan" ? PHASE.vlan : i.kind === "ethernet" ? PHASE.ethernet : PHASE.bridge;
    const props: Props = [];
    if (i.kind === "vlan" && i.vlan) props.push(["interface", i.vlan.parent], ["vlan-id", i.vlan.id]);
    if (i.mtu !== undefined) props.push(["mtu", i.mtu]);
    if (!ref && i.kind !== "ethernet") {
      const what = i.kind === "vlan" ? "VLAN" : "bridge";
      emit(
        phase,
        add(
          path,
          [["name", i.name], ...props, ["comment", markedComment(i.description)]],
          [],
          `add the ${what} ${i.name}`,
        ),
      );
      continue;
    }
    if (ref && ref.kind !== i.kind && !(ref.kind === "bridge" && i.kind === "bridge"))
      throw new Error(`${i.name} is a ${ref.kind} interface on the device, not a ${i.kind} one`);
    const h = haveInterfaces.get(i.name);
    const now: Props = [];
    if (h?.vlan) now.push(["interface", h.vlan.parent], ["vlan-id", h.vlan.id]);
    if (h?.mtu !== undefined) now.push(["mtu", h.mtu]);
    // An MTU git no longer sets goes back to RouterOS's default.
    const diff = diffProps(props, now, { mtu: i.kind === "bridge" ? "auto" : 1500 });
    if (ref?.disabled) diff.unshift(["disabled", false]);
    if ((h?.description ?? undefined) !== i.description)
      diff.push(["comment", commentFor(i.description, !!ref?.marked)]);
    // An ethernet RouterOS made itself and never changed is not in the export: found by name.
    const find = ref?.find ?? findWhere([["name", i.name]]);
    if (diff.length > 0) emit(phase, set(path, find, diff, `change ${keysOf(diff)} of ${i.name}`));
  }

  // WireGuard interfaces, then their peers.
  const haveWireguard = new Map((have.wireguard ?? []).map((w) => [w.name, w] as const));
  const writtenPeers = new Map<string, WireguardPeer>();
  for (const w of desired.wireguard ?? [])
    for (const p of w.peers) writtenPeers.set(`${w.name}|${p.public_key}`, p);
  for (const w of want.wireguard ?? []) {
    const ref = inv.interfaces.get(w.name);
    const h = haveWireguard.get(w.name);
    if (ref && ref.kind !== "wireguard")
      throw new Error(`${w.name} is a ${ref.kind} interface on the device, not a WireGuard one`);
    const written = desired.wireguard?.find((x) => x.name === w.name);
    if (!ref || !h) {
      const props: Props = [["name", w.name]];
      if (written?.listen_port !== undefined) props.push(["listen-port", written.listen_port]);
      if (written?.mtu !== undefined) props.push(["mtu", written.mtu]);
      props.push(["comment", markedComment(w.description)]);
      emit(
        PHASE.wireguard,
        add(
          MENU.wireguard,
          props,
          [],
          `add the WireGuard interface ${w.name} (its private key is generated on the device)`,
        ),
      );
    } else {
      const defined = (props: [string, number | undefined][]): Props =>
        props.filter((p): p is [string, number] => p[1] !== undefined);
      // A port git no longer sets goes back to RouterOS's first own one.
      const diff = diffProps(
        defined([
          ["listen-port", w.listen_port],
          ["mtu", w.mtu],
        ]),
        defined([
          ["listen-port", h.listen_port],
          ["mtu", h.mtu],
        ]),
        { "listen-port": ROUTEROS_DEFAULTS.wireguardListenPort, mtu: ROUTEROS_DEFAULTS.wireguardMtu },
      );
      if (h.description !== w.description) diff.push(["comment", commentFor(w.description, ref.marked)]);
      if (ref.disabled) diff.unshift(["disabled", false]);
      if (diff.length > 0)
        emit(PHASE.wireguard, set(ref.path, ref.find, diff, `change ${keysOf(diff)} of ${w.name}`));
    }
    for (const peer of w.peers) {
      const key = `${w.name}|${peer.public_key}`;
      const pref = inv.peers.get(key);
      const hp = h?.peers.find((p) => p.public_key === peer.public_key);
      const written = writtenPeers.get(key);
      const secret: Props = written?.preshared_key_env
        ? [["preshared-key", secretPlaceholder(written.preshared_key_env)]]
        : [];
      const who = `${w.name}'s peer ${peer.description ?? peer.public_key}`;
      if (!pref || !hp) {
        const props: Props = [
          ["interface", w.name],
          ["public-key", peer.public_key],
          ...peerProps(peer),
          ...secret,
        ];
        props.push(["comment", markedComment(peer.description)]);
        emit(PHASE.peer, add(MENU.peers, props, [], `add ${who}`));
        continue;
      }
      const diff = diffProps(peerProps(peer), peerProps(hp), PEER_CLEAR);
      // A secret is never kept after the read: only whether one is set can differ.
      if (peer.preshared_key_env && !hp.preshared_key_env) diff.push(...secret);
      if (!peer.preshared_key_env && hp.preshared_key_env) diff.push(["preshared-key", ""]);
      if (hp.description !== peer.description)
        diff.push(["comment", commentFor(peer.description, pref.marked)]);
      if (pref.disabled) diff.unshift(["disabled", false]);
      if (diff.length > 0)
        emit(PHASE.peer, set(MENU.peers, pref.find, diff, `change ${keysOf(diff)} of ${who}`));
    }
    for (const [key, pref] of inv.peers) {
      const [iface, pk] = key.split("|") as [string, string];
      if (iface === w.name && !w.peers.some((p) => p.public_key === pk))
        drop(PHASE.peer, remove(MENU.peers, pref.find, `remove the peer ${pk} from ${w.name}`));
    }
  }

  // Addresses of the interfaces git describes.
  const wantAddresses = new Map<string, string[]>();
  for (const i of [...(want.interfaces ?? []), ...(want.wireguard ?? [])])
    wantAddresses.set(i.name, i.addresses ?? []);
  for (const [iface, addresses] of wantAddresses)
    for (const a of addresses) {
      const aref = inv.addresses.get(`${iface}|${a}`);
      if (aref?.disabled)
        emit(PHASE.address, set(aref.path, aref.find, [["disabled", false]], `enable ${a} on ${iface}`));
      if (!aref)
        emit(
          PHASE.address,
          add(
            a.includes(":") ? MENU.ip6Address : MENU.ip4Address,
            [
              ["address", a],
              ["interface", iface],
            ],
            [],
            `add ${a} to ${iface}`,
          ),
        );
    }

  // Interfaces git no longer names: only the reconciler's own (marked) ones go.
  const gone = new Set<string>();
  for (const [name, ref] of inv.interfaces) {
    if (wantNames.has(name) || !ref.marked) continue;
    gone.add(name);
    const phase =
      ref.kind === "wireguard" ? PHASE.wireguard : ref.kind === "vlan" ? PHASE.vlan : PHASE.bridge;
    drop(phase, remove(ref.path, ref.find, `remove ${name}, which git no longer names`));
    if (ref.kind === "wireguard")
      for (const [key, pref] of inv.peers)
        if (key.startsWith(`${name}|`))
          drop(
            PHASE.peer,
            remove(MENU.peers, pref.find, `remove the peer ${key.slice(name.length + 1)} of ${name}`),
          );
  }
  for (const [key, aref] of inv.addresses) {
    const bar = key.indexOf("|");
    const iface = key.slice(0, bar);
    const addr = key.slice(bar + 1);
    const wanted = wantAddresses.get(iface);
    if ((wanted && !wanted.includes(addr)) || gone.has(iface))
      drop(PHASE.address, remove(aref.path, aref.find, `remove ${addr} from ${iface}`));
  }

  planOspf(desired, want, live, emit, drop, owned);
  planBgp(desired, want, have, live, emit, drop, owned);
  planRoutes(want, have, live, emit, drop, owned);
  planFirewall(want, have, live, emit, owned);

  // IP forwarding (on by default).
  if (desired.forwarding) {
    const w4 = want.forwarding?.ipv4 !== false;
    const w6 = want.forwarding?.ipv6 !== false;
    if (w4 !== (have.forwarding?.ipv4 !== false))
      emit(
        PHASE.settings,
        cmd(
          MENU.ip4Settings,
          `set ${formatProperties([["ip-forward", w4]])}`,
          `turn IPv4 forwarding ${w4 ? "on" : "off"}`,
        ),
      );
    if (w6 !== (have.forwarding?.ipv6 !== false))
      emit(
        PHASE.settings,
        cmd(
          MENU.ip6Settings,
          `set ${formatProperties([["forward", w6]])}`,
          `turn IPv6 forwarding ${w6 ? "on" : "off"}`,
        ),
      );
  }

  // Raw lines, as written, in their order.
  const raw: PlannedCommand[] = [];
  for (const line of desired.raw?.routeros ?? []) {
    const problem = oneCommandProblem(line);
    if (problem) {
      if (!opts.onRefusedRaw)
        throw new Error(`raw.routeros: refusing ${JSON.stringify(line.slice(0, 200))}: ${problem}`);
      opts.onRefusedRaw(line, problem);
      continue;
    }
    if (!rawSatisfied(line, inv.items)) raw.push({ line, description: "a raw line of the desired state" });
  }
  return [...adds.flat(), ...raw, ...[...removals].reverse().flat()];
}

/** What clears a peer's property git no longer sets. */
const PEER_CLEAR: Record<string, Value> = {
  "endpoint-address": "",
  "endpoint-port": 0,
  "persistent-keepalive": "0s",
};

function peerProps(peer: WireguardPeer): Props {
  const props: Props = [["allowed-address", names(peer.allowed_ips)]];
  if (peer.endpoint) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(peer.endpoint);
    if (m) props.push(["endpoint-address", m[1] ?? m[2] ?? ""], ["endpoint-port", Number(m[3])]);
  }
  if (peer.persistent_keepalive)
    props.push(["persistent-keepalive", formatDuration(peer.persistent_keepalive)]);
  return props;
}

/** The template properties (beside area and interfaces) that give an interface these parameters. */
function ospfProps(i: OspfInterface, written: OspfInterface | undefined): Props {
  const props: Props = [];
  if (i.type !== ROUTEROS_DEFAULTS.ospfType) props.push(["type", i.type as string]);
  if (i.cost !== ROUTEROS_DEFAULTS.ospfCost) props.push(["cost", i.cost as number]);
  if (i.hello !== ROUTEROS_DEFAULTS.ospfHello)
    props.push(["hello-interval", formatDuration(i.hello as number)]);
  if (i.dead !== ROUTEROS_DEFAULTS.ospfDead) props.push(["dead-interval", formatDuration(i.dead as number)]);
  if (i.retransmit !== ROUTEROS_DEFAULTS.ospfRetransmit)
    props.push(["retransmit-interval", formatDuration(i.retransmit as number)]);
  const auth = i.authentication;
  if (auth) {
    props.push(["auth", auth.type === "simple" ? "simple" : "md5"]);
    if (auth.type === "cryptographic") props.push(["auth-id", auth.key_id ?? 1]);
    const env = written?.authentication?.password_env;
    if (env && env !== SECRET_SET) props.push(["auth-key", secretPlaceholder(env)]);
  }
  return props;
}

const OSPF_CLEAR: Record<string, Value> = {
  type: ROUTEROS_DEFAULTS.ospfType,
  cost: ROUTEROS_DEFAULTS.ospfCost,
  "hello-interval": formatDuration(ROUTEROS_DEFAULTS.ospfHello),
  "dead-interval": formatDuration(ROUTEROS_DEFAULTS.ospfDead),
  "retransmit-interval": formatDuration(ROUTEROS_DEFAULTS.ospfRetransmit),
  auth: "none",
};

const sameOspf = (a: OspfInterface, b: OspfInterface) =>
  JSON.stringify({ ...normOspfInterface(a), name: "" }) ===
  JSON.stringify({ ...normOspfInterface(b), name: "" });

function planOspf(
  desired: DeviceIntent,
  want: DeviceIntent,
  live: RouterosLive,
  emit: Emit,
  drop: Emit,
  owned: ReadonlySet<string>,
): void {
  const inv = live.inventory;
  const removeAll = !want.ospf && owned.has("ospf");
  if (!want.ospf && !removeAll) return;
  const wantInstances = new Map((want.ospf?.instances ?? []).map((i) => [i.name, i] as const));
  const haveInstances = new Map(
    (normalizeRouteros(live.state).ospf?.instances ?? []).map((i) => [i.name, i] as const),
  );
  const areaName = new Map<string, string>(); // `${instance}|${id}` -> its name on the device
  for (const [key, a] of inv.ospfAreas) areaName.set(key, a.name);

  for (const inst of want.ospf?.instances ?? []) {
    const ref = inv.ospfInstances.get(inst.name);
    const props: Props = [];
    if (inst.version === 3) props.push(["version", 3]);
    if (inst.router_id) props.push(["router-id", inst.router_id]);
    if (inst.redistribute?.length) props.push(["redistribute", names(inst.redistribute)]);
    const h = haveInstances.get(inst.name);
    if (!ref || !h) {
      emit(
        PHASE.ospfInstance,
        add(
          MENU.ospfInstance,
          [["name", inst.name], ...props, ["comment", markedComment(undefined)]],
          [],
          `add the OSPFv${inst.version} instance ${inst.name}`,
        ),
      );
    } else {
      const now: Props = [];
      if (h.version === 3) now.push(["version", 3]);
      if (h.router_id) now.push(["router-id", h.router_id]);
      if (h.redistribute?.length) now.push(["redistribute", names(h.redistribute)]);
      const diff = diffProps(props, now, { version: 2 });
      if (ref.disabled) diff.unshift(["disabled", false]);
      if (diff.length > 0)
        emit(
          PHASE.ospfInstance,
          set(ref.path, ref.find, diff, `change ${keysOf(diff)} of the OSPF instance ${inst.name}`),
        );
    }
    for (const area of inst.areas) {
      const key = `${inst.name}|${area.id}`;
      const aref = inv.ospfAreas.get(key);
      if (!aref) {
        const name = `${inst.name}-${area.id}`;
        areaName.set(key, name);
        const props: Props = [
          ["name", name],
          ["instance", inst.name],
        ];
        if (area.id !== ROUTEROS_DEFAULTS.ospfAreaId) props.push(["area-id", area.id]);
        if (area.stub) props.push(["type", "stub"]);
        props.push(["comment", markedComment(undefined)]);
        emit(PHASE.ospfArea, add(MENU.ospfArea, props, [], `add the OSPF area ${area.id} to ${inst.name}`));
      } else {
        const diff: Props = aref.disabled ? [["disabled", false]] : [];
        if ((aref.properties.type === "stub") !== !!area.stub)
          diff.push(["type", area.stub ? "stub" : "default"]);
        if (diff.length > 0)
          emit(
            PHASE.ospfArea,
            set(
              aref.path,
              aref.find,
              diff,
              `change ${keysOf(diff)} of the OSPF area ${area.id} of ${inst.name}`,
            ),
          );
      }
    }
  }

  // Interface templates: each desired OSPF interface against the device's templates.
  const written = new Map<string, OspfInterface>();
  for (const inst of desired.ospf?.instances ?? [])
    for (const area of inst.areas)
      for (const i of area.interfaces ?? []) written.set(`${inst.name}|${canonAreaId(area.id)}|${i.name}`, i);
  const wanted = new Map<string, { instance: string; area: string; iface: OspfInterface }>();
  for (const inst of want.ospf?.instances ?? [])
    for (const area of inst.areas)
      for (const iface of area.interfaces ?? [])
        wanted.set(`${inst.name}|${area.id}|${iface.name}`, { instance: inst.name, area: area.id, iface });
  const satisfied = new Set<string>();
  const areaByName = new Map([...inv.ospfAreas.values()].map((a) => [a.name, a] as const));
  for (const t of inv.ospfTemplates) {
    const a = areaByName.get(t.area);
    if (!a) continue;
    // Templates of an instance git does not name go with their instance (below).
    if (!removeAll && !wantInstances.has(a.instance)) continue;
    const what = `the OSPF template of ${names(t.interfaces)} in area ${a.id} of ${a.instance}`;
    if (removeAll) {
      drop(PHASE.ospfTemplate, remove(t.path, t.find, `remove ${what}`));
      continue;
    }
    const h = haveInstances
      .get(a.instance)
      ?.areas.find((x) => x.id === a.id)
      ?.interfaces?.find((i) => i.name === t.interfaces[0]);
    const keys = t.interfaces.map((n) => `${a.instance}|${a.id}|${n}`);
    if (
      h &&
      keys.every((k) => wanted.has(k) && sameOspf((wanted.get(k) as { iface: OspfInterface }).iface, h))
    ) {
      for (const k of keys) satisfied.add(k);
      if (t.disabled) emit(PHASE.ospfTemplate, set(t.path, t.find, [["disabled", false]], `enable ${what}`));
      continue;
    }
    // One interface in its area: changed in place where a property can say it (passive is a flag).
    const only = keys.length === 1 ? wanted.get(keys[0] as string) : undefined;
    if (only && h && !!only.iface.passive === !!h.passive) {
      const diff = diffProps(
        ospfProps(only.iface, written.get(keys[0] as string)),
        ospfProps(h, undefined),
        OSPF_CLEAR,
      );
      if (t.disabled) diff.unshift(["disabled", false]);
      if (diff.length > 0)
        emit(
          PHASE.ospfTemplate,
          set(t.path, t.find, diff, `change ${keysOf(diff)} of OSPF on ${only.iface.name}`),
        );
      satisfied.add(keys[0] as string);
      continue;
    }
    // Removed before the replacement is added, so that the two never match the same interface.
    emit(PHASE.ospfTemplate, remove(t.path, t.find, `remove ${what}`));
  }
  for (const [key, w] of wanted) {
    if (satisfied.has(key)) continue;
    const area = areaName.get(`${w.instance}|${w.area}`) ?? `${w.instance}-${w.area}`;
    const props: Props = [
      ["area", area],
      ["interfaces", w.iface.name],
      ...ospfProps(w.iface, written.get(key)),
    ];
    props.push(["comment", markedComment(undefined)]);
    emit(
      PHASE.ospfTemplate,
      add(
        MENU.ospfTemplate,
        props,
        w.iface.passive ? ["passive"] : [],
        `run OSPF on ${w.iface.name} in area ${w.area} of ${w.instance}`,
      ),
    );
  }
  // Areas and instances git does not describe.
  for (const a of inv.ospfAreas.values()) {
    const inst = wantInstances.get(a.instance);
    if (removeAll || (inst && !inst.areas.some((x) => x.id === a.id)))
      drop(PHASE.ospfArea, remove(a.path, a.find, `remove the OSPF area ${a.id} of ${a.instance}`));
  }
  for (const [name, ref] of inv.ospfInstances) {
    if (!removeAll && wantInstances.has(name)) continue;
    if (!removeAll) {
      for (const t of inv.ospfTemplates)
        if (areaByName.get(t.area)?.instance === name)
          drop(
            PHASE.ospfTemplate,
            remove(t.path, t.find, `remove the OSPF template of ${names(t.interfaces)} (its instance goes)`),
          );
      for (const a of inv.ospfAreas.values())
        if (a.instance === name)
          drop(PHASE.ospfArea, remove(a.path, a.find, `remove the OSPF area ${a.id} of ${name}`));
    }
    drop(PHASE.ospfInstance, remove(ref.path, ref.find, `remove the OSPF instance ${name}`));
  }
}

/** A connection's properties (beside its name and secret) for a neighbour of this BGP section. */
function bgpProps(bgp: Pick<Bgp, "asn" | "router_id" | "cluster_id">, n: BgpNeighbor): Props {
  const props: Props = [["as", bgp.asn]];
  if (bgp.router_id) props.push(["router-id", bgp.router_id]);
  props.push(["remote.address", n.address], ["remote.as", n.remote_asn]);
  props.push(["local.role", n.remote_asn === bgp.asn ? "ibgp" : "ebgp"]);
  if (n.update_source) props.push(["local.address", n.update_source]);
  if (bgp.cluster_id) props.push(["cluster-id", bgp.cluster_id]);
  if (n.route_reflector_client) props.push(["route-reflect", true]);
  if (n.next_hop_self) props.push(["nexthop-choice", "force-self"]);
  const afs = (n.address_families ?? ["ipv4"]).map((a) => (a === "ipv4" ? "ip" : a));
  if (names(afs) !== "ip") props.push(["address-families", names(afs)]);
  return props;
}

const BGP_CLEAR: Record<string, Value> = {
  "route-reflect": false,
  "nexthop-choice": "any",
  "address-families": "ip",
};

function planBgp(
  desired: DeviceIntent,
  want: DeviceIntent,
  have: DeviceIntent,
  live: RouterosLive,
  emit: Emit,
  drop: Emit,
  owned: ReadonlySet<string>,
): void {
  const inv = live.inventory;
  const bgp = want.bgp;
  if (!bgp) {
    if (owned.has("bgp"))
      for (const [address, c] of inv.bgpConnections)
        drop(PHASE.bgp, remove(c.path, c.find, `remove the BGP session with ${address}`));
    return;
  }
  const written = new Map((desired.bgp?.neighbors ?? []).map((n) => [canonAddress(n.address), n] as const));
  for (const n of bgp.neighbors) {
    const ref = inv.bgpConnections.get(n.address);
    const h = have.bgp?.neighbors.find((x) => x.address === n.address);
    const env = written.get(n.address)?.password_env;
    const secret: Props = env && env !== SECRET_SET ? [["tcp-md5-key", secretPlaceholder(env)]] : [];
    const who = `the BGP session with ${n.address}${n.description ? ` (${n.description})` : ""}`;
    if (!ref || !h) {
      const props: Props = [["name", `peer-${n.address.replace(/:/g, "-")}`], ...bgpProps(bgp, n), ...secret];
      props.push(["comment", markedComment(n.description)]);
      emit(PHASE.bgp, add(MENU.bgpConnection, props, [], `add ${who}`));
      continue;
    }
    // What this connection itself says (the section's values come from the first connection).
    const own = { asn: ref.asn ?? have.bgp?.asn ?? 0, router_id: ref.routerId, cluster_id: ref.clusterId };
    const now = bgpProps(own, h).filter(
      ([k]) => k !== "local.role" || ref.properties["local.role"] !== undefined,
    );
    const next = bgpProps(bgp, n).filter(
      ([k, v]) => k !== "local.role" || !ref.properties["local.role"]?.startsWith(String(v)),
    );
    const diff = diffProps(
      next,
      now.filter(([k]) => k !== "local.role"),
      BGP_CLEAR,
    );
    if (n.password_env && !h.password_env) diff.push(...secret);
    if (!n.password_env && h.password_env) diff.push(["tcp-md5-key", ""]);
    if (ref.disabled) diff.unshift(["disabled", false]);
    if (h.description !== n.description) diff.push(["comment", commentFor(n.description, ref.marked)]);
    if (diff.length > 0) emit(PHASE.bgp, set(ref.path, ref.find, diff, `change ${keysOf(diff)} of ${who}`));
  }
  for (const [address, c] of inv.bgpConnections)
    if (!bgp.neighbors.some((n) => n.address === address))
      drop(PHASE.bgp, remove(c.path, c.find, `remove the BGP session with ${address}`));
}

function routeProps(r: StaticRoute): Props {
  const props: Props = [["dst-address", r.prefix]];
  if (r.blackhole) return props;
  if (r.via && r.interface) props.push(["gateway", `${r.via}%${r.interface}`]);
  else if (r.via || r.interface) props.push(["gateway", (r.via ?? r.interface) as string]);
  if (r.distance !== undefined && r.distance !== ROUTEROS_DEFAULTS.staticDistance)
    props.push(["distance", r.distance]);
  return props;
}

function planRoutes(
  want: DeviceIntent,
  have: DeviceIntent,
  live: RouterosLive,
  emit: Emit,
  drop: Emit,
  owned: ReadonlySet<string>,
): void {
  const inv = live.inventory;
  if (!want.static_routes && !owned.has("static_routes")) return;
  const haveRoutes = new Map((have.static_routes ?? []).map((r) => [r.prefix, r] as const));
  for (const r of want.static_routes ?? []) {
    const path = r.prefix.includes(":") ? MENU.ip6Route : MENU.ip4Route;
    const ref = inv.routes.get(r.prefix);
    const h = haveRoutes.get(r.prefix);
    const flags = r.blackhole ? ["blackhole"] : [];
    const addIt = () =>
      emit(
        PHASE.route,
        add(
          path,
          [...routeProps(r), ["comment", markedComment(r.description)]],
          flags,
          `add the route to ${r.prefix}`,
        ),
      );
    if (!ref || !h) {
      addIt();
      continue;
    }
    if (!!h.blackhole !== !!r.blackhole) {
      // blackhole is a flag: the route is replaced (the old one removed first: both match the prefix).
      emit(PHASE.route, remove(ref.path, ref.find, `replace the route to ${r.prefix}`));
      addIt();
      continue;
    }
    const diff = diffProps(routeProps(r), routeProps(h), { distance: ROUTEROS_DEFAULTS.staticDistance });
    if (ref.disabled) diff.unshift(["disabled", false]);
    if (h.description !== r.description) diff.push(["comment", commentFor(r.description, ref.marked)]);
    if (diff.length > 0)
      emit(PHASE.route, set(ref.path, ref.find, diff, `change ${keysOf(diff)} of the route to ${r.prefix}`));
  }
  for (const [prefix, ref] of inv.routes)
    if (!want.static_routes?.some((r) => r.prefix === prefix) && (want.static_routes || ref.marked))
      drop(PHASE.route, remove(ref.path, ref.find, `remove the route to ${prefix}`));
}

const ACTION: Record<FirewallRule["action"], string> = { pass: "accept", block: "drop", reject: "reject" };

/** One model rule as RouterOS filter rules (chain forward): one per table and protocol RouterOS needs. */
export function filterRuleCommands(r: FirewallRule): { path: string; props: Props }[] {
  const tables =
    r.ip_version === "any"
      ? [MENU.ip4Filter, MENU.ip6Filter]
      : [r.ip_version === "ipv6" ? MENU.ip6Filter : MENU.ip4Filter];
  const protocols = r.protocol === "tcp/udp" ? ["tcp", "udp"] : [r.protocol];
  const address = (v: string | undefined, side: "src" | "dst"): Props => {
    if (v === undefined || v === "any") return [];
    return /^[0-9a-fA-F:.]+(\/\d+)?$/.test(v) && /[.:]/.test(v)
      ? [[`${side}-address`, v]]
      : [[`${side}-address-list`, v]];
  };
  const out: { path: string; props: Props }[] = [];
  for (const path of tables)
    for (const protocol of protocols) {
      const props: Props = [
        ["chain", "forward"],
        ["action", ACTION[r.action]],
      ];
      if (protocol !== "any")
        props.push(["protocol", path === MENU.ip6Filter && protocol === "icmp" ? "icmpv6" : protocol]);
      if (r.interface) props.push([r.direction === "out" ? "out-interface" : "in-interface", r.interface]);
      props.push(...address(r.source, "src"), ...address(r.destination, "dst"));
      if (r.destination_port !== undefined) props.push(["dst-port", r.destination_port]);
      if (r.log) props.push(["log", true]);
      if (r.enabled === false) props.push(["disabled", true]);
      out.push({ path, props });
    }
  return out;
}

function planFirewall(
  want: DeviceIntent,
  have: DeviceIntent,
  live: RouterosLive,
  emit: Emit,
  owned: ReadonlySet<string>,
): void {
  if (!want.firewall && !owned.has("firewall")) return;
  if (JSON.stringify(want.firewall?.rules ?? []) === JSON.stringify(have.firewall?.rules ?? [])) return;
  // The model's rules are one ordered list: when it differs, the rules the model reads are
  // removed and the list is written again, in order, after the rules it cannot read. Removed
  // first: a rule written again would otherwise match the old one's selector.
  for (const r of live.inventory.filterRules)
    emit(
      PHASE.filter,
      remove(
        r.path,
        r.find,
        `remove the filter rule "${r.rule.description}" (the list is written again in order)`,
      ),
    );
  // want's rules are already one per table and protocol (normalizeRouteros).
  for (const r of want.firewall?.rules ?? [])
    for (const { path, props } of filterRuleCommands(r))
      emit(
        PHASE.filter,
        add(
          path,
          [...props, ["comment", markedComment(r.description)]],
          [],
          `add the filter rule "${r.description}"`,
        ),
      );
}

/**
 * Whether the device already carries what a raw line asks for: a `set` whose properties the items
 * it selects already have, or an `add` of an item that exists with these properties. Any other
 * command is sent every time. (The terse export leaves out default values: a raw line that sets
 * a property to its default is sent every time; `/export verbose` would say more.)
 */
export function rawSatisfied(line: string, items: readonly ExportItem[]): boolean {
  const parsed = parseExport(line);
  if (parsed.diagnostics.length > 0 || parsed.items.length !== 1) return false;
  const want = parsed.items[0] as ExportItem;
  const sameMenu = items.filter((i) => i.path === want.path);
  const hasAll = (i: ExportItem) =>
    Object.entries(want.properties).every(([k, v]) => i.properties[k] === v) &&
    want.flags.every((f) => i.flags.includes(f));
  if (want.command === "add") return sameMenu.some((i) => i.command === "add" && hasAll(i));
  if (want.command !== "set") return false;
  const sel = want.selector;
  const matches = sameMenu.filter((i) => {
    if (!sel) return !i.selector;
    if (selectorText(i.selector) === selectorText(sel)) return true;
    if (sel.kind === "find")
      return Object.entries(sel.where).every(
        ([k, v]) =>
          (i.properties[k] ?? (i.selector?.kind === "find" ? i.selector.where[k] : undefined)) === v,
      );
    if (sel.kind === "name") return i.properties.name === sel.name;
    return false;
  });
  return matches.length > 0 && matches.every(hasAll);
}
