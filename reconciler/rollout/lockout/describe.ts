// The change a finding names, written as the plan shows it: "path: before → after".
import type { FirewallRule, StaticRoute } from "../../schema/device.ts";
import type { Container, DeviceSides } from "./state.ts";

/** What happens to the addresses of one interface or tunnel, or undefined when nothing does. */
export function describeContainer(sides: DeviceSides, container: Container): string | undefined {
  const before = sides.before.addresses.get(container) ?? [];
  const after = sides.after.addresses.get(container);
  if (after === undefined) return `${container}: ${before.join(", ") || "(no address)"} → (deleted)`;
  const removed = before.filter((a) => !after.includes(a));
  const added = after.filter((a) => !before.includes(a));
  if (removed.length === 0) return undefined;
  return `${container}.addresses: ${removed.join(", ")} → ${added.join(", ") || "(removed)"}`;
}

/** The peers among `keys` a tunnel loses, or undefined when it keeps them all. */
export function describePeers(
  sides: DeviceSides,
  container: Container,
  keys: readonly string[],
): string | undefined {
  const after = sides.after.peers.get(container) ?? [];
  const lost = (sides.before.peers.get(container) ?? []).filter(
    (k) => keys.includes(k) && !after.includes(k),
  );
  return lost.length === 0 ? undefined : lost.map((k) => `${container}.peers[${k}]: (deleted)`).join("; ");
}

const routeText = (r: StaticRoute | undefined, absent: string) =>
  !r
    ? absent
    : r.blackhole
      ? "blackhole"
      : [r.via && `via ${r.via}`, r.interface && `dev ${r.interface}`].filter(Boolean).join(" ");

/** What happens to one static route, or undefined when it is the same on both sides. */
export function describeRoute(sides: DeviceSides, prefix: string): string | undefined {
  const before = routeText(sides.before.routes.get(prefix), "(none)");
  const after = routeText(sides.after.routes.get(prefix), "(removed)");
  return before === after ? undefined : `static_routes[${prefix}]: ${before} → ${after}`;
}

export function describeRule(rule: FirewallRule): string {
  const port = rule.destination_port === undefined ? "" : ` port ${rule.destination_port}`;
  return `firewall.rules: "${rule.description}" (${rule.action} ${rule.protocol} from ${rule.source ?? "any"} to ${rule.destination ?? "any"}${port})`;
}
