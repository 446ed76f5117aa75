// Which routing daemon a Debian router runs, as far as its files and FRR's running state say. The
// files the reconciler wrote carry its mark; without one (a router not yet managed, or both files
// marked), the daemon that has routing configuration wins, FRR's running config first.
import type { DeviceIntent } from "../../schema/device.ts";
import { MANAGED_MARK } from "./paths.ts";

const marked = (text: string | null | undefined) =>
  text
    ?.split("\n")
    .slice(0, 3)
    .some((l) => l.includes(MANAGED_MARK)) ?? false;

export function chooseDaemon(
  birdConf: string | null | undefined,
  frrConf: string | null | undefined,
  frrRunning: string | null | undefined,
): DeviceIntent["routing_daemon"] {
  const bird = marked(birdConf);
  const frr = marked(frrConf);
  if (bird && !frr) return "bird";
  if (frr && !bird) return "frr";
  const frrRouting = /^(router (ospf6?|bgp)\b|ip(v6)? route )/m;
  if (frrRunning && frrRouting.test(frrRunning)) return "frr";
  if (!frrRunning && frrConf && frrRouting.test(frrConf)) return "frr";
  if (birdConf && /^\s*protocol\s+(ospf|bgp)\b/m.test(birdConf)) return "bird";
  return undefined;
}
