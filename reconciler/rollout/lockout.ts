// Lockout analysis: refuse, before anything is touched, a plan that would cut the path the
// reconciler uses to reach a device. Pure: the desired state, the plan and the rollout's waves in,
// the findings out; the engine refuses the rollout when there is one, unless the operator passes
// --allow-lockout.
//
// A device is reached over hops: reconciler → the first device of its `via` chain → … → the
// device, each hop an SSH connection (or a channel forwarded by the previous device) to the next
// device's inventory host and port. A hop is cut by:
//   1. its target losing the address the inventory names (removed, renumbered, its interface or
//      tunnel deleted, or the VLAN it lives on changed);
//   2. its jump losing what carries the traffic to that address: the connected prefix, the
//      static route (deleted, blackholed, or its next hop no longer connected), or the tunnel or
//      transfer net it shares with the target (known by its address or its peer's key). A path
//      that had a connected prefix or static route and keeps only the tunnel is cut too: it would
//      hang on the routing daemons, which are not modelled;
//   3. a firewall rule on its target that drops TCP to the SSH port from the hop's source (the
//      reconciler's `sources` for the first hop, the jump's own address on the carrying
//      interface for later ones);
//   4. the WireGuard tunnel of the target that carries the hop (the inventory host is one of its
//      addresses: an out-of-band box reached over its management VPN) changing what its other
//      end must follow: a peer's key, endpoint or allowed IPs, a peer, the listen port;
//   5. the target routing its replies to the hop's source into a tunnel: allowed IPs this plan
//      creates or changes that cover the source, on a tunnel whose allowed IPs the platform
//      makes routes (lockout/tunnel.ts).
// Not modelled, because the desired state alone cannot say: routes learned from OSPF or BGP (a
// host the jump reaches only through the routing daemon has no known carrier and is not judged;
// likewise the return route from a device to the reconciler), an inventory host given as a name
// (no resolution here), the platform's default firewall policy and rules bound to an interface
// (treated as possibly matching: never a finding on their own), outbound filtering on a jump, and
// WireGuard peer keys, endpoints or allowed IPs on the jump's side of a tunnel that carries a hop.
//
// What order can and cannot do: every cut found here is in the desired state's end result (a
// device's state after the rollout), so no order saves it: the device behind it could not be
// reached afterwards, by this run's health gates or by any later run, and that holds for devices
// the rollout does not apply too. Order protects the states in between: waves.ts applies the
// device behind a jump before the jump (farthest first), so a new path that the far device
// prepares (a new address on a new link, kept beside the old) is live before the jump moves onto
// it, and the end state above has no cut. Renumbering a management address takes two runs: add
// the new address (the old one stays, the inventory still names it); then point the inventory at
// the new one and remove the old. A device taken out of the inventory is no longer judged.
import {
  formatAddress,
  formatPrefix,
  type IpAddress,
  type IpPrefix,
  parseAddress,
  parsePrefix,
} from "../model/ip.ts";
import type { Change, Plan } from "../model/plan.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { describeContainer, describePeers, describeRoute, describeRule } from "./lockout/describe.ts";
import { droppingRule } from "./lockout/firewall.ts";
import { allAddresses, type Carriers, carriers, holders, type NextDevice } from "./lockout/reach.ts";
import { type DeviceSides, deviceSides } from "./lockout/state.ts";
import { carryingTunnelCuts, returnPathCuts } from "./lockout/tunnel.ts";

export interface LockoutFinding {
  /** The device the reconciler would lose. */
  device: string;
  /** The path to it, e.g. "reconciler → core-1 → tower-1 (198.51.100.150:22)". */
  path: string;
  /** The change that cuts it, as "path: before → after". */
  change: string;
  /** What happens and what to do about it. */
  message: string;
}

export interface LockoutInput {
  repo: DesiredRepo;
  plan: Plan;
  /** The rollout's order: earlier waves are applied first. */
  waves: string[][];
  /**
   * The reconciler's own source addresses or prefixes, as the devices see them. The inventory has
   * no field for them yet: the engine passes them (from its configuration or a flag). Without
   * them, a firewall rule counts against the reconciler only when it drops every source.
   */
  sources?: string[];
}

const OVERRIDE = "or pass --allow-lockout";

const STRENGTH: Record<Carriers["how"], number> = { connected: 3, static: 2, adjacent: 1, unknown: 0 };

/** One cut of a hop, found on the device whose plan makes it. */
interface Cut {
  on: string;
  change: string;
  what: string;
  /** What to do when the cut is on the device itself, where no order helps. */
  ownAdvice: string;
}

const endpoint = (d: ResolvedDevice) =>
  d.host.includes(":") ? `[${d.host}]:${d.port}` : `${d.host}:${d.port}`;

const isHost = (p: IpPrefix) => p.length === (p.family === 4 ? 32 : 128);
const formatSource = (p: IpPrefix) =>
  isHost(p) ? formatAddress({ family: p.family, value: p.address }) : formatPrefix(p);

function toSource(text: string): IpPrefix | undefined {
  const address = parseAddress(text);
  if (address)
    return { family: address.family, address: address.value, length: address.family === 4 ? 32 : 128 };
  return parsePrefix(text);
}

export function lockoutFindings(input: LockoutInput): LockoutFinding[] {
  const { repo, plan } = input;
  const wave = new Map<string, number>();
  input.waves.forEach((names, i) => {
    for (const n of names) wave.set(n, i);
  });
  const changes = new Map<string, Change[]>(plan.devices.map((d) => [d.device, d.changes]));
  const sidesCache = new Map<string, DeviceSides>();
  const sides = (name: string): DeviceSides => {
    let s = sidesCache.get(name);
    if (!s) {
      s = deviceSides(repo.expanded[name], changes.get(name) ?? []);
      sidesCache.set(name, s);
    }
    return s;
  };
  const sources = input.sources?.length ? input.sources.map(toSource) : [undefined];

  /** The via chain ending at a device, first hop first; a loop (refused by the loader) stops it. */
  const chainOf = (name: string): ResolvedDevice[] => {
    const chain: ResolvedDevice[] = [];
    for (let d = repo.devices[name]; d && !chain.includes(d); d = d.via ? repo.devices[d.via] : undefined)
      chain.unshift(d);
    return chain;
  };

  /** Cuts of the hop from `from` (undefined: the reconciler itself) to `to`. */
  const cutsOfHop = (from: ResolvedDevice | undefined, to: ResolvedDevice): Cut[] => {
    const out: Cut[] = [];
    const host = parseAddress(to.host);
    const target = sides(to.name);
    const next: NextDevice = {
      addresses: [...allAddresses(target.before), ...allAddresses(target.after)],
      keys: Object.values(repo.publicKeys[to.name] ?? {}),
    };
    const own = changes.get(to.name) ?? [];
    const jumpSources = from && host ? jumpAddresses(sides(from.name), host, next) : [];
    const hopSources = from ? jumpSources : sources;
    if (host) {
      out.push(...ownAddressCuts(to, host, target, own));
      out.push(...carryingTunnelCuts(to, host, target, own));
      const routed = repo.routedTunnels?.[to.name] ?? [];
      out.push(...returnPathCuts(to, host, hopSources, repo.expanded[to.name], routed, target, own));
    }
    out.push(...firewallCuts(repo, to, host, hopSources, own));
    if (from && host) out.push(...jumpCuts(from, to, host, sides(from.name), next));
    return out;
  };

  const findings: LockoutFinding[] = [];
  const seen = new Set<string>();
  // Every device of the inventory, not only those the rollout applies: a change on a jump cuts
  // the path to the devices behind it whether or not they are changed themselves.
  const applied = input.waves.flat();
  const others = Object.keys(repo.devices)
    .filter((n) => !wave.has(n))
    .sort();
  for (const name of [...applied, ...others]) {
    const chain = chainOf(name);
    const device = chain[chain.length - 1];
    if (!device || device.name !== name) continue;
    const mine = wave.get(name);
    const path = `reconciler → ${chain.map((d) => d.name).join(" → ")} (${endpoint(device)})`;
    chain.forEach((to, i) => {
      for (const cut of cutsOfHop(chain[i - 1], to)) {
        // Only changes this rollout makes cut anything.
        if (!wave.has(cut.on)) continue;
        const key = `${name}\u0000${cut.change}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const message =
          cut.on === name
            ? `${cut.what}: ${cut.ownAdvice}, ${OVERRIDE}`
            : `${cut.what}: ${name} could not be reached afterwards (the inventory still reaches it this way${mine === undefined ? "; this rollout does not even apply it" : ""}): ` +
              `keep the old path until the new one is live, or take ${name} out of the inventory, ${OVERRIDE}`;
        findings.push({ device: name, path, change: cut.change, message });
      }
    });
  }
  return findings;
}

function ownAddressCuts(to: ResolvedDevice, host: IpAddress, target: DeviceSides, changes: Change[]): Cut[] {
  const before = holders(target.before, host);
  const after = holders(target.after, host);
  const advice =
    "keep the old address until the new one is live (add the new address, point the inventory at it, remove the old one in a later run)";
  if (before.length > 0 && after.length === 0) {
    return before.flatMap((c) => {
      const change = describeContainer(target, c);
      return change
        ? [
            {
              on: to.name,
              change,
              what: `${to.name} loses its management address ${to.host}`,
              ownAdvice: advice,
            },
          ]
        : [];
    });
  }
  // The address stays, but the VLAN it lives on moves: the path through the old one goes.
  return changes
    .filter((ch) => after.some((c) => ch.path === `${c}.vlan` || ch.path.startsWith(`${c}.vlan.`)))
    .map((ch) => ({
      on: to.name,
      change: `${ch.path}: ${JSON.stringify(ch.before ?? null)} → ${JSON.stringify(ch.after ?? null)}`,
      what: `the VLAN of ${to.name}'s management address ${to.host} changes`,
      ownAdvice: "move the management address in its own run, with the inventory following it",
    }));
}

/** The jump's own addresses on what carries the hop: the source the target sees. */
function jumpAddresses(jump: DeviceSides, host: IpAddress, next: NextDevice): (IpPrefix | undefined)[] {
  const via = carriers(jump.before, host, next).containers;
  const found = via
    .flatMap((c) => jump.before.addresses.get(c) ?? [])
    .map((a) => toSource(a.split("/")[0] ?? ""));
  // The connection leaves from an address of the host's family: a link-local IPv6 address on an
  // unnumbered tunnel says nothing about an IPv4 connection.
  const known = found.filter((p): p is IpPrefix => p !== undefined && p.family === host.family);
  return known.length > 0 ? known : [undefined];
}

function firewallCuts(
  repo: DesiredRepo,
  to: ResolvedDevice,
  host: IpAddress | undefined,
  sources: (IpPrefix | undefined)[],
  changes: Change[],
): Cut[] {
  // Only a plan that changes the firewall can start dropping the reconciler: it reached the
  // device through the rules the device has now.
  if (!changes.some((c) => c.path === "firewall" || c.path.startsWith("firewall."))) return [];
  const firewall = repo.expanded[to.name]?.firewall;
  for (const source of sources) {
    const rule = droppingRule(firewall, { source, destination: host, port: to.port });
    if (!rule) continue;
    const from = source ? formatSource(source) : "every source";
    return [
      {
        on: to.name,
        change: describeRule(rule),
        what: `${to.name}'s firewall drops SSH (tcp/${to.port}) from ${from}`,
        ownAdvice: `let ${source ? formatSource(source) : "the reconciler's address"} reach tcp/${to.port} before that rule`,
      },
    ];
  }
  return [];
}

function jumpCuts(
  from: ResolvedDevice,
  to: ResolvedDevice,
  host: IpAddress,
  jump: DeviceSides,
  next: NextDevice,
): Cut[] {
  const before = carriers(jump.before, host, next);
  const after = carriers(jump.after, host, next);
  // A path that loses its connected prefix or static route and is left with only the tunnel to
  // the next device now hangs on the routing daemons, which are not modelled: that is a cut.
  const kept = after.containers.length > 0 && STRENGTH[after.how] >= STRENGTH[before.how];
  if (before.containers.length === 0 || kept) return [];
  const described = [
    // The route the path followed, and the one it would follow now (a new blackhole, say).
    ...[...new Set([before.route, after.route])].map((r) => (r ? describeRoute(jump, r) : undefined)),
    ...before.containers.map((c) => describeContainer(jump, c) ?? describePeers(jump, c, next.keys)),
  ].filter((t): t is string => t !== undefined);
  if (described.length === 0) return [];
  return [
    {
      on: from.name,
      change: described.join("; "),
      what: `${from.name} cuts its path to ${to.name} (${to.host})`,
      ownAdvice: "keep the old path until the new one is live",
    },
  ];
}
