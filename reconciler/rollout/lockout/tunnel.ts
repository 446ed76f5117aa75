// Cuts that come from the target's own WireGuard tunnels (rules 4 and 5 of lockout.ts). Pure.
//   4. The hop arrives over a tunnel of the target (its inventory host is an address of that
//      tunnel, as for an out-of-band box reached over its management VPN): changing what the
//      other end must know (a peer's key, endpoint or allowed IPs, a peer added or removed, the
//      listen port, the private key) takes the tunnel down until the other end follows, and the
//      other end is, by the nature of a management VPN, not what this run can change first.
//   5. The target routes its replies to the hop's source into a tunnel: on a tunnel whose allowed
//      IPs the platform makes routes (repo.routedTunnels: wg-quick without "Table = off", an
//      Opengear; a tunnel left to a routing daemon is not judged), a peer's allowed IPs that this
//      plan creates or changes cover the source (the reconciler's `sources` for the
//      first hop, the jump's address for later ones), and the hop does not arrive over that
//      tunnel. The session's packets reach the device and its answers leave into the tunnel.
//      A more specific prefix the device has on another interface keeps them where they were;
//      routes from the routing daemons are not modelled (as in lockout.ts).
import {
  formatAddress,
  formatPrefix,
  type IpAddress,
  type IpPrefix,
  parsePrefix,
  prefixesOverlap,
} from "../../model/ip.ts";
import type { Change } from "../../model/plan.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { holders } from "./reach.ts";
import type { DeviceSides, PathState } from "./state.ts";

export interface TunnelCut {
  on: string;
  change: string;
  what: string;
  ownAdvice: string;
}

const describe = (c: Change) =>
  `${c.path}: ${JSON.stringify(c.before ?? null)} → ${JSON.stringify(c.after ?? null)}`;

/** What of a tunnel, after its container path, the far end must follow. */
const FAR_END_FOLLOWS =
  /^(\.peers(\[[^\]]*\])?(\.(public_key|endpoint|allowed_ips)([.[].*)?)?|\.listen_port|\.private_key)$/;

const isTunnel = (container: string) => container.startsWith("wireguard[");
const tunnelName = (container: string) => container.slice("wireguard[".length, -1);

/** Rule 4: the tunnel that carries the hop changes what its other end must follow. */
export function carryingTunnelCuts(
  to: ResolvedDevice,
  host: IpAddress,
  target: DeviceSides,
  changes: Change[],
): TunnelCut[] {
  const after = new Set(holders(target.after, host));
  return holders(target.before, host)
    .filter((c) => isTunnel(c) && after.has(c))
    .flatMap((c) => {
      const relevant = changes.filter(
        (ch) => ch.path.startsWith(c) && FAR_END_FOLLOWS.test(ch.path.slice(c.length)),
      );
      if (relevant.length === 0) return [];
      return [
        {
          on: to.name,
          change: relevant.map(describe).join("; "),
          what: `${to.name} is reached over its own tunnel ${tunnelName(c)} (${to.host}), whose other end must follow this change`,
          ownAdvice:
            "make this change over another path (point the inventory at an address outside the tunnel for this run), or add the new peer beside the old one and remove the old one in a later run",
        },
      ];
    });
}

/** Whether a prefix on some other, non-tunnel container holds SOURCE more specifically than LENGTH. */
function keptElsewhere(state: PathState, except: string, source: IpPrefix, length: number): boolean {
  for (const [container, addresses] of state.addresses) {
    if (container === except || isTunnel(container)) continue;
    for (const text of addresses) {
      const p = parsePrefix(text);
      if (
        p &&
        p.family === source.family &&
        p.length > length &&
        p.length <= source.length &&
        prefixesOverlap(p, source)
      )
        return true;
    }
  }
  return false;
}

const formatSource = (p: IpPrefix) =>
  p.length === (p.family === 4 ? 32 : 128)
    ? formatAddress({ family: p.family, value: p.address })
    : formatPrefix(p);

/** Rule 5: replies to the hop's source routed into a tunnel this plan creates or changes. */
export function returnPathCuts(
  to: ResolvedDevice,
  host: IpAddress,
  sources: (IpPrefix | undefined)[],
  intent: DeviceIntent | undefined,
  routed: readonly string[],
  target: DeviceSides,
  changes: Change[],
): TunnelCut[] {
  const carrying = new Set(holders(target.after, host));
  const out: TunnelCut[] = [];
  for (const w of intent?.wireguard ?? []) {
    const container = `wireguard[${w.name}]`;
    if (carrying.has(container) || !routed.includes(w.name)) continue;
    const touched = changes.filter(
      (ch) =>
        ch.path === container ||
        ch.path === `${container}.peers` ||
        ch.path.startsWith(`${container}.peers[`),
    );
    if (touched.length === 0) continue;
    for (const peer of w.peers)
      for (const text of peer.allowed_ips) {
        const allowed = parsePrefix(text);
        if (!allowed) continue;
        const source = sources.find(
          (s): s is IpPrefix =>
            s !== undefined &&
            s.family === allowed.family &&
            prefixesOverlap(allowed, s) &&
            !keptElsewhere(target.after, container, s, allowed.length),
        );
        if (!source) continue;
        out.push({
          on: to.name,
          change: touched.map(describe).join("; "),
          what: `${to.name} would route its replies to ${formatSource(source)} into ${w.name} (allowed IP ${text} of peer ${peer.description ?? peer.public_key})`,
          ownAdvice: `leave ${formatSource(source)} out of the tunnel's allowed IPs, or reach ${to.name} through that tunnel`,
        });
        return out;
      }
  }
  return out;
}
