// What on a Debian router the reconciler itself wrote: files carrying its mark, the WireGuard
// interfaces and ifupdown interfaces those files define, and the sections of files it owns
// whole. The planner may delete these when git no longer describes them; everything else found
// on the router is reported as unmanaged and left alone.
import type { LiveState } from "../../model/live.ts";
import { BIRD_CONF, FRR_CONF, IFUPDOWN_CONF, MANAGED_MARK, SYSCTL_CONF, wireguardConfName } from "./paths.ts";

const ROUTING_SECTIONS = ["ospf", "bgp", "static_routes", "raw"];

export function ownedDebian(live: LiveState): ReadonlySet<string> {
  const owned = new Set<string>();
  const ours = (path: string) => {
    const text = live.artifacts[path];
    return typeof text === "string" && text.includes(MANAGED_MARK);
  };
  for (const path of Object.keys(live.artifacts)) {
    if (!path.startsWith("/") || !ours(path)) continue;
    owned.add(`file:${path}`);
    const wg = wireguardConfName(path);
    if (wg) owned.add(`wireguard[${wg}]`);
  }
  if (ours(BIRD_CONF) || ours(FRR_CONF)) for (const s of ROUTING_SECTIONS) owned.add(s);
  if (ours(SYSCTL_CONF)) owned.add("forwarding");
  if (ours(IFUPDOWN_CONF)) {
    for (const m of (live.artifacts[IFUPDOWN_CONF] ?? "").matchAll(/^\s*iface\s+(\S+)/gm))
      owned.add(`interfaces[${m[1]}]`);
  }
  return owned;
}
