// Pure: the LiveState of a Debian router from what the read script printed. WireGuard comes from
// the running interfaces (`wg show all dump`), with their addresses and MTU from `ip -j` and what
// only the wg-quick file knows (Table, and whether ListenPort and each Endpoint are configured or
// merely chosen at run time) from the file; bird from bird.conf; FRR from its running-config when
// it runs; forwarding from sysctl; interfaces from `ip -j`, managed kinds only.
import { createHash } from "node:crypto";
import { compareText } from "../../model/canonical.ts";
import type { LiveState } from "../../model/live.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent, NetInterface, WireguardInterface, WireguardPeer } from "../../schema/device.ts";
import { chooseDaemon } from "./daemon.ts";
import { SECRET_SET } from "./defaults.ts";
import { normalizeDebian } from "./normalize.ts";
import { routingFrom } from "./parse.ts";
import { birdRuntimeDrift } from "./parse-bird-protocols.ts";
import { parseIfupdown } from "./parse-ifupdown.ts";
import { type IpLink, parseIpAddrJson } from "./parse-ip.ts";
import { parseSysctlValues } from "./parse-sysctl.ts";
import { type DumpInterface, parseWgDump } from "./parse-wg-dump.ts";
import { type ParsedWireguardConf, parseWireguardConf } from "./parse-wireguard.ts";
import {
  BIRD_CONF,
  CMD_BIRD_PROTOCOLS,
  CMD_FRR_RUNNING,
  CMD_IP_ADDR,
  CMD_SYSCTL,
  CMD_WG_DUMP,
  FRR_CONF,
  IFUPDOWN_CONF,
  wireguardConfName,
  wireguardConfPath,
} from "./paths.ts";

export interface DebianLiveState extends LiveState {
  /** What the parsers did not understand, by artifact path (also in raw where it is routing text). */
  unrecognized: Record<string, string[]>;
}

/** The kinds of link `interfaces` manages by kind, whatever the ifupdown file says. */
const MANAGED_KINDS: Record<string, NetInterface["kind"]> = {
  dummy: "dummy",
  vlan: "vlan",
  bridge: "bridge",
};

function wireguardFrom(dump: DumpInterface, link: IpLink | undefined, conf: ParsedWireguardConf | undefined) {
  const confPeers = new Map((conf?.iface.peers ?? []).map((p) => [p.public_key, p]));
  const iface: WireguardInterface = { name: dump.name, peers: [] };
  // Without ListenPort in the file the kernel picks a random port at each start: not state.
  if (dump.listenPort !== undefined && (!conf || conf.iface.listen_port !== undefined)) {
    iface.listen_port = dump.listenPort;
  }
  if (link && link.addresses.length > 0) iface.addresses = link.addresses;
  if (link?.mtu !== undefined) iface.mtu = link.mtu;
  if (conf?.iface.table) iface.table = conf.iface.table;
  for (const p of dump.peers) {
    const confPeer = confPeers.get(p.publicKey);
    const peer: WireguardPeer = { public_key: p.publicKey, allowed_ips: p.allowedIps };
    // A peer without a configured endpoint shows the address it last came from: roaming, not state.
    if (p.endpoint && (!confPeer || confPeer.endpoint !== undefined)) peer.endpoint = p.endpoint;
    if (p.keepalive) peer.persistent_keepalive = p.keepalive;
    if (p.hasPresharedKey) peer.preshared_key_env = confPeer?.preshared_key_env ?? SECRET_SET;
    iface.peers.push(peer);
  }
  return iface;
}

function interfacesFrom(links: IpLink[], wireguardNames: Set<string>, declared: Map<string, NetInterface>) {
  const out: NetInterface[] = [];
  for (const link of links) {
    if (wireguardNames.has(link.name)) continue;
    const decl = declared.get(link.name);
    let kind: NetInterface["kind"] | undefined = link.kind ? MANAGED_KINDS[link.kind] : undefined;
    if (link.loopback) kind = link.addresses.length > 0 || decl ? "loopback" : undefined;
    else if (!kind && decl && link.kind !== "tun" && link.kind !== "wireguard") kind = "ethernet";
    if (!kind) continue;
    const iface: NetInterface = { name: link.name, kind };
    if (link.addresses.length > 0) iface.addresses = link.addresses;
    if (link.mtu !== undefined) iface.mtu = link.mtu;
    if (kind === "vlan" && link.parent !== undefined && link.vlanId !== undefined) {
      iface.vlan = { parent: link.parent, id: link.vlanId };
    }
    out.push(iface);
  }
  return out;
}

/** A stable view of an artifact for the fingerprint: what `ip -j` reports that is configuration. */
function stableView(path: string, text: string): string {
  if (path !== CMD_IP_ADDR) return text;
  try {
    return JSON.stringify(parseIpAddrJson(text));
  } catch {
    return text;
  }
}

/** sha256 over the artifacts sorted by path; run-time values (link state, counters) left out. */
export function fingerprintOf(artifacts: Readonly<Record<string, string | null>>): string {
  const h = createHash("sha256");
  for (const path of Object.keys(artifacts).sort(compareText)) {
    // Running state (protocol states, their "since" times) is not configuration.
    if (path === CMD_BIRD_PROTOCOLS) continue;
    const text = artifacts[path];
    h.update(`${path}\0${text === null || text === undefined ? "\u0001absent" : stableView(path, text)}\0`);
  }
  return h.digest("hex");
}

export function liveStateFrom(
  device: ResolvedDevice,
  artifacts: Record<string, string | null>,
): DebianLiveState {
  const unrecognized: Record<string, string[]> = {};
  const note = (path: string, list: string[]) => {
    if (list.length > 0) unrecognized[path] = [...(unrecognized[path] ?? []), ...list];
  };
  const dump = parseWgDump(artifacts[CMD_WG_DUMP] ?? "");
  note(CMD_WG_DUMP, dump.unrecognized);
  const links = parseIpAddrJson(artifacts[CMD_IP_ADDR] ?? "[]");
  const linkByName = new Map(links.map((l) => [l.name, l]));
  const state: DeviceIntent = {};
  const publicKeys: Record<string, string> = {};
  const wireguard: WireguardInterface[] = [];
  for (const d of dump.interfaces) {
    const path = wireguardConfPath(d.name);
    const text = artifacts[path];
    const conf = text ? parseWireguardConf(d.name, text) : undefined;
    if (conf) note(path, conf.unrecognized);
    wireguard.push(wireguardFrom(d, linkByName.get(d.name), conf));
    if (d.publicKey) publicKeys[d.name] = d.publicKey;
  }
  // A wg-quick file whose interface is not running is only a file: the planner sees the artifact.
  for (const path of Object.keys(artifacts)) {
    const name = wireguardConfName(path);
    if (name && artifacts[path] !== null && !dump.interfaces.some((d) => d.name === name)) {
      note(path, [`${name}: the file exists but the interface is not running`]);
    }
  }
  state.wireguard = wireguard;
  const ifupdown = artifacts[IFUPDOWN_CONF] ? parseIfupdown(artifacts[IFUPDOWN_CONF] ?? "") : undefined;
  if (ifupdown) note(IFUPDOWN_CONF, ifupdown.unrecognized);
  const declared = new Map((ifupdown?.interfaces ?? []).map((i) => [i.name, i]));
  state.interfaces = interfacesFrom(links, new Set(dump.interfaces.map((d) => d.name)), declared);
  const running = artifacts[CMD_FRR_RUNNING] ?? null;
  const daemon = chooseDaemon(artifacts[BIRD_CONF], artifacts[FRR_CONF], running);
  if (daemon) {
    state.routing_daemon = daemon;
    // FRR that is not running runs nothing: its routing sections are absent, not read from the file.
    const source = daemon === "bird" ? BIRD_CONF : CMD_FRR_RUNNING;
    const routing = routingFrom(daemon, daemon === "bird" ? artifacts[BIRD_CONF] : running);
    Object.assign(state, routing.state);
    note(source, routing.unrecognized);
  }
  const forwarding = parseSysctlValues(artifacts[CMD_SYSCTL] ?? "");
  if (forwarding.ipv4 !== undefined || forwarding.ipv6 !== undefined) state.forwarding = forwarding;
  const protocols = artifacts[CMD_BIRD_PROTOCOLS];
  const runtime =
    daemon === "bird" && typeof protocols === "string" && artifacts[BIRD_CONF]
      ? birdRuntimeDrift(
          protocols.slice(protocols.indexOf("\n") + 1),
          protocols.split("\n", 1)[0] ?? "",
          artifacts[BIRD_CONF] ?? "",
        )
      : [];
  return {
    ...(runtime.length > 0 ? { runtime } : {}),
    device: device.name,
    platform: device.platform,
    state: normalizeDebian(state),
    artifacts,
    publicKeys,
    fingerprint: fingerprintOf(artifacts),
    unrecognized,
  };
}
