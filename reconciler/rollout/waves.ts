// The fleet order (DESIGN.md, "Fleet order"): which changed devices go in which wave. Pure.
//   - Both ends of a changed link go in the same wave (union-find over the changed devices), so
//     a link is never left with one end on the old configuration and the other on the new.
//   - A device reached through others (`via`, followed to the end of the chain, changed or not)
//     goes in an earlier wave than every changed device on its path: the path to it is never cut
//     before it is done. When a changed link puts a device and one on its path in one wave (a new
//     link between a tower and the core it is managed through), the wave commits them farthest
//     first (`commitOrder`): the far device is committed while the path to it is still as it was,
//     and whatever cuts the path is caught by the lockout analysis before anything is sent.
//   - Canaries first: the changed devices the canary selectors match, with their link partners
//     and the changed devices reached through them (those must go before them), in as many waves
//     as the `via` order needs.
//   - Then the rest, in waves of at most `batch` devices (a link group larger than the batch goes
//     whole, alone); among the groups ready for a wave, the farthest (most `via` hops) first, then
//     by device name. A percentage batch is of all the devices to change, rounded up.
//   - The out-of-band path is the path of last resort: the changed devices whose management VPN
//     changes (`outOfBand`) go one site (label `site`, else the device itself) per wave, each
//     wave confirmed before the next, so that a bad change can cost at most one POP's console
//     access. A link joining two such devices of different sites is refused (OrderError).

import type { ResolvedDevice } from "../model/repo.ts";
import { selectDevices } from "../model/select.ts";

/** A count of devices, or a percentage of the devices to change such as "25%". */
export type Batch = number | string;

export interface OrderInput {
  /** The devices with changes. */
  changed: readonly string[];
  devices: Readonly<Record<string, ResolvedDevice>>;
  /** Pairs of devices joined by a link (repo.links' two ends). */
  links: readonly (readonly [string, string])[];
  /** Names (globs) or label selectors, as --limit takes them. */
  canary?: readonly string[];
  /** Default: every device in one wave (after the canaries), as far as `via` allows. */
  batch?: Batch;
  /** Changed devices whose change touches their management VPN: one site of them per wave. */
  outOfBand?: readonly string[];
}

export interface Wave {
  devices: string[];
  canary: boolean;
  /**
   * Present when devices of the wave are reached through others of it: the order in which their
   * commits go, farthest (most `via` hops) first, each layer at once.
   */
  commitOrder?: string[][];
}

export class OrderError extends Error {}

/** The batch as a count of devices out of `total`: "25%" of 10 is 3. */
export function batchSize(batch: Batch | undefined, total: number): number {
  if (batch === undefined) return Number.POSITIVE_INFINITY;
  if (typeof batch === "number") {
    if (!Number.isInteger(batch) || batch < 1) throw new OrderError(`batch must be at least 1, not ${batch}`);
    return batch;
  }
  const m = /^([0-9]{1,3})%$/.exec(batch);
  const pct = m ? Number(m[1]) : Number.NaN;
  if (!(pct >= 1 && pct <= 100)) throw new OrderError(`batch must be a count or 1%..100%, not ${batch}`);
  return Math.max(1, Math.ceil((total * pct) / 100));
}

/** The devices on the path to `name`, nearest first (its via, that one's via, ...). */
function pathTo(name: string, devices: OrderInput["devices"]): string[] {
  const path: string[] = [];
  const seen = new Set([name]);
  for (let cur = devices[name]?.via; cur && !seen.has(cur); cur = devices[cur]?.via) {
    path.push(cur);
    seen.add(cur);
  }
  return path;
}

export function orderWaves(input: OrderInput): Wave[] {
  const changed = [...new Set(input.changed)].sort();
  const isChanged = new Set(changed);

  // Link groups: union-find over the changed devices.
  const parent = new Map(changed.map((d) => [d, d]));
  const find = (d: string): string => {
    let r = d;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(d, r);
    return r;
  };
  for (const [a, b] of input.links) {
    if (!isChanged.has(a) || !isChanged.has(b)) continue;
    const [ra, rb] = [find(a), find(b)];
    // The smaller name is the root, so a group is named by its first device.
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    if (lo !== hi) parent.set(hi, lo);
  }
  const groups = new Map<string, string[]>();
  for (const d of changed) groups.set(find(d), [...(groups.get(find(d)) ?? []), d]);

  // before(h): the groups that must be done before h, those of the devices reached through h.
  const before = new Map<string, Set<string>>([...groups.keys()].map((g) => [g, new Set<string>()]));
  const depth = new Map<string, number>();
  for (const d of changed) {
    const path = pathTo(d, input.devices);
    const g = find(d);
    depth.set(g, Math.max(depth.get(g) ?? 0, path.length));
    for (const hop of path) {
      if (!isChanged.has(hop)) continue;
      // The same link group: one wave, committed farthest first (commitOrder).
      if (find(hop) === g) continue;
      before.get(find(hop))?.add(g);
    }
  }

  // Canaries, closed under link groups and under what must precede them.
  const canary = new Set<string>();
  if (input.canary && input.canary.length > 0 && changed.length > 0) {
    const all = Object.values(input.devices);
    let matched: ResolvedDevice[] = [];
    try {
      matched = selectDevices(all, input.canary.join(","), { unknownNames: "ignore" });
    } catch (err) {
      // A selector that matches no device of the inventory has no canary to give.
      if (!/matches no device/.test((err as Error).message)) throw new OrderError((err as Error).message);
    }
    const todo = matched.map((d) => d.name).filter((n) => isChanged.has(n));
    while (todo.length > 0) {
      const g = find(todo.pop() as string);
      if (canary.has(g)) continue;
      canary.add(g);
      for (const p of before.get(g) ?? []) todo.push(p);
    }
  }

  // The sites of each group's out-of-band changes (at most one, or no order can keep them apart).
  const oob = new Set(input.outOfBand ?? []);
  const siteOf = (d: string) => input.devices[d]?.labels.site ?? d;
  const oobSite = new Map<string, string>();
  for (const [g, members] of groups) {
    const sites = [...new Set(members.filter((d) => oob.has(d)).map(siteOf))].sort();
    if (sites.length > 1)
      throw new OrderError(
        `a changed link joins the management VPNs of ${sites.join(" and ")}: out-of-band paths change one site per wave; change them in two runs (--limit)`,
      );
    if (sites[0] !== undefined) oobSite.set(g, sites[0]);
  }

  /** The wave's devices by `via` depth, farthest first, when one of them is on another's path. */
  const commitOrderOf = (wave: readonly string[]): { commitOrder?: string[][] } => {
    const inWave = new Set(wave);
    if (!wave.some((d) => pathTo(d, input.devices).some((hop) => inWave.has(hop)))) return {};
    const byDepth = new Map<number, string[]>();
    for (const d of wave) {
      const depth = pathTo(d, input.devices).filter((hop) => inWave.has(hop)).length;
      byDepth.set(depth, [...(byDepth.get(depth) ?? []), d]);
    }
    return {
      commitOrder: [...byDepth.entries()].sort((a, b) => b[0] - a[0]).map(([, ds]) => ds.sort()),
    };
  };

  const size = batchSize(input.batch, changed.length);
  const done = new Set<string>();
  const waves: Wave[] = [];
  const layer = (pool: Set<string>, limit: number, isCanary: boolean) => {
    while ([...pool].some((g) => !done.has(g))) {
      const ready = [...pool]
        .filter((g) => !done.has(g) && [...(before.get(g) ?? [])].every((p) => done.has(p)))
        .sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
      if (ready.length === 0) {
        const stuck = [...pool].filter((g) => !done.has(g)).flatMap((g) => groups.get(g) ?? []);
        throw new OrderError(
          `no order changes ${stuck.join(", ")} without cutting the path to one of them: each is reached through another`,
        );
      }
      const wave: string[] = [];
      let waveSite: string | undefined;
      for (const g of ready) {
        const members = groups.get(g) ?? [];
        if (wave.length > 0 && wave.length + members.length > limit) continue;
        const site = oobSite.get(g);
        if (site !== undefined && waveSite !== undefined && site !== waveSite) continue;
        waveSite ??= site;
        wave.push(...members);
      }
      // Marked done only once the wave is full: nothing depends on a group of its own wave.
      for (const g of ready) if ((groups.get(g) ?? []).every((d) => wave.includes(d))) done.add(g);
      waves.push({ devices: wave.sort(), canary: isCanary, ...commitOrderOf(wave) });
    }
  };
  layer(canary, Number.POSITIVE_INFINITY, true);
  layer(new Set([...groups.keys()].filter((g) => !canary.has(g))), size, false);
  return waves;
}
