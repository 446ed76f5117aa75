// --shard K/N: which devices one of N machines plans, so that a fleet too large for one runner is
// planned by N in parallel and merged (cli/merge-plans.ts). Devices are grouped by their `site`
// label (a device without one is a group of its own); groups that a link or a `via` chain connects
// are joined, so both ends of a link and a device and its jump host are always read by the same
// shard. Groups go, largest first, to the least loaded shard (ties: the lower shard number),
// groups of equal size in name order. The split depends only on the inventory and the links, so
// every shard (and the coordinator) computes the same one without talking to the others. Stable
// as far as a greedy balance can be: a new group no larger than any other (a new site's first
// device) goes last and moves nothing; a group that grows may move the groups placed after it. Pure.
import type { ResolvedDevice } from "./repo.ts";

export class ShardError extends Error {}

export interface ShardSpec {
  /** 1-based: shard K of N. */
  index: number;
  count: number;
}

/** At most this many shards: a matrix wider than this is a typo rather than a plan. */
export const MAX_SHARDS = 256;

const SPEC = /^([0-9]{1,3})\/([0-9]{1,3})$/;

export function parseShard(text: string): ShardSpec {
  const m = SPEC.exec(text.trim());
  if (!m)
    throw new ShardError(
      `invalid --shard ${JSON.stringify(text)}: expected K/N, shard K of N, e.g. 1/4 (K from 1 to N, N from 1 to ${MAX_SHARDS})`,
    );
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS)
    throw new ShardError(`invalid --shard ${text}: N must be from 1 to ${MAX_SHARDS}, not ${count}`);
  if (index < 1 || index > count)
    throw new ShardError(`invalid --shard ${text}: K must be from 1 to N (${count}), not ${index}`);
  return { index, count };
}

export const formatShard = (s: ShardSpec) => `${s.index}/${s.count}`;

/** The two devices a link joins, by name; links.ts's schema guarantees exactly two ends. */
export interface LinkEnds {
  ends: readonly { device: string }[];
}

export interface ShardGroup {
  /** The group's name: the smallest site or device name in it, for a stable order. */
  name: string;
  devices: string[];
}

/** Union-find over group keys, the representative being the smallest key (deterministic). */
class Joins {
  private readonly parent = new Map<string, string>();
  find(k: string): string {
    let root = k;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    this.parent.set(k, root);
    return root;
  }
  add(k: string): void {
    if (!this.parent.has(k)) this.parent.set(k, k);
  }
  join(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
}

/** A device's initial group: its site, or itself ("site:" and "device:" keep the two apart). */
const keyOf = (d: ResolvedDevice) => {
  const site = d.labels.site;
  return site !== undefined && site !== "" ? `site:${site}` : `device:${d.name}`;
};

/** The groups no shard may split, each with its devices in name order, the groups in name order. */
export function shardGroups(devices: readonly ResolvedDevice[], links: readonly LinkEnds[]): ShardGroup[] {
  const byName = new Map(devices.map((d) => [d.name, d]));
  const joins = new Joins();
  for (const d of devices) joins.add(keyOf(d));
  const joinDevices = (a: string, b: string) => {
    const da = byName.get(a);
    const db = byName.get(b);
    // A name the inventory does not hold is validate's to report; it cannot move a group.
    if (da && db) joins.join(keyOf(da), keyOf(db));
  };
  for (const l of links) {
    const [a, b] = l.ends;
    if (a && b) joinDevices(a.device, b.device);
  }
  for (const d of devices) if (d.via) joinDevices(d.name, d.via);
  const members = new Map<string, string[]>();
  for (const d of devices) {
    const root = joins.find(keyOf(d));
    const list = members.get(root) ?? [];
    list.push(d.name);
    members.set(root, list);
  }
  return [...members.entries()]
    .map(([root, names]) => ({ name: root.slice(root.indexOf(":") + 1), devices: names.sort() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface ShardSplit {
  /** shards[i] holds shard i+1's device names, sorted; a shard may be empty (more shards than groups). */
  shards: string[][];
  /** The group each device belongs to (its name), for explaining a split. */
  groupOf: Record<string, string>;
}

export function splitShards(
  devices: readonly ResolvedDevice[],
  links: readonly LinkEnds[],
  count: number,
): ShardSplit {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS)
    throw new ShardError(`the number of shards must be from 1 to ${MAX_SHARDS}, not ${count}`);
  const groups = shardGroups(devices, links).sort(
    (a, b) => b.devices.length - a.devices.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const shards: string[][] = Array.from({ length: count }, () => []);
  const groupOf: Record<string, string> = {};
  for (const g of groups) {
    let best = 0;
    for (let i = 1; i < count; i++) if ((shards[i]?.length ?? 0) < (shards[best]?.length ?? 0)) best = i;
    shards[best]?.push(...g.devices);
    for (const d of g.devices) groupOf[d] = g.name;
  }
  for (const s of shards) s.sort();
  return { shards, groupOf };
}

/** The devices of shard K/N, in the input's order. */
export function shardDevices<D extends ResolvedDevice>(
  all: readonly D[],
  links: readonly LinkEnds[],
  spec: ShardSpec,
): D[] {
  const mine = new Set(splitShards(all, links, spec.count).shards[spec.index - 1]);
  return all.filter((d) => mine.has(d.name));
}
