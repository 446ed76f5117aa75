// parseDebianFiles: the state a set of rendered (or hand-edited) files describes, normalized.
// The inverse of renderDebian: parseDebianFiles(renderDebian(x).files).state deep-equals
// normalizeDebian(x). The live read uses the same section parsers on what the device reports.
import type { DeviceIntent } from "../../schema/device.ts";
import { chooseDaemon } from "./daemon.ts";
import { normalizeDebian } from "./normalize.ts";
import { parseBirdConf } from "./parse-bird.ts";
import { parseFrrConf } from "./parse-frr.ts";
import { parseIfupdown } from "./parse-ifupdown.ts";
import { parseSysctlConf } from "./parse-sysctl.ts";
import { parseWireguardConf } from "./parse-wireguard.ts";
import { BIRD_CONF, FRR_CONF, IFUPDOWN_CONF, SYSCTL_CONF, wireguardConfName } from "./paths.ts";

export interface ParsedDebian {
  state: DeviceIntent;
  /** What the parsers did not understand, by source path. */
  unrecognized: Record<string, string[]>;
}

/** The routing sections of a daemon's configuration text, with raw for what is not modeled. */
export function routingFrom(
  daemon: DeviceIntent["routing_daemon"],
  text: string | null | undefined,
): { state: Pick<DeviceIntent, "ospf" | "bgp" | "static_routes" | "raw">; unrecognized: string[] } {
  if (!daemon || text === null || text === undefined) return { state: {}, unrecognized: [] };
  const parsed = daemon === "bird" ? parseBirdConf(text) : parseFrrConf(text);
  const state: Pick<DeviceIntent, "ospf" | "bgp" | "static_routes" | "raw"> = {};
  if (parsed.ospf) state.ospf = parsed.ospf;
  if (parsed.bgp) state.bgp = parsed.bgp;
  if (parsed.static_routes) state.static_routes = parsed.static_routes;
  if (parsed.raw !== undefined) state.raw = daemon === "bird" ? { bird: parsed.raw } : { frr: parsed.raw };
  return { state, unrecognized: parsed.unrecognized };
}

export function parseDebianFiles(files: Readonly<Record<string, string | null>>): ParsedDebian {
  const state: DeviceIntent = {};
  const unrecognized: Record<string, string[]> = {};
  const note = (path: string, list: string[]) => {
    if (list.length > 0) unrecognized[path] = list;
  };
  for (const [path, text] of Object.entries(files)) {
    const name = wireguardConfName(path);
    if (name === undefined || text === null) continue;
    const parsed = parseWireguardConf(name, text);
    state.wireguard = [...(state.wireguard ?? []), parsed.iface];
    note(path, parsed.unrecognized);
  }
  const daemon = chooseDaemon(files[BIRD_CONF], files[FRR_CONF], undefined);
  if (daemon) state.routing_daemon = daemon;
  const path = daemon === "bird" ? BIRD_CONF : FRR_CONF;
  const routing = routingFrom(daemon, files[path]);
  Object.assign(state, routing.state);
  note(path, routing.unrecognized);
  const sysctl = files[SYSCTL_CONF];
  if (sysctl) {
    const parsed = parseSysctlConf(sysctl);
    state.forwarding = parsed.forwarding;
    note(SYSCTL_CONF, parsed.unrecognized);
  }
  const ifupdown = files[IFUPDOWN_CONF];
  if (ifupdown) {
    const parsed = parseIfupdown(ifupdown);
    state.interfaces = parsed.interfaces;
    note(IFUPDOWN_CONF, parsed.unrecognized);
  }
  return { state: normalizeDebian(state), unrecognized };
}
