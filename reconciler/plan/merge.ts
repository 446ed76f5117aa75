// merge-plans: the N plans of `plan --shard K/N` joined into the one plan an unsharded run would
// have made. Refused, naming the files, whenever the pieces cannot be the same fleet at the same
// revision: a plan without a shard, shards of different N or revisions, a shard missing or given
// twice, a device in two plans (or outside its shard). Pure: the caller reads the files.
import type { DevicePlan, Plan } from "../model/plan.ts";

export class MergeError extends Error {}

export interface NamedPlan {
  /** Where the plan came from, for the error messages (a file name). */
  file: string;
  plan: Plan;
}

const SHARD = /^([0-9]+)\/([0-9]+)$/;

function shardOf(p: NamedPlan): { index: number; count: number } {
  const text = p.plan.shard?.shard;
  const m = typeof text === "string" ? SHARD.exec(text) : null;
  if (!m)
    throw new MergeError(
      `${p.file}: not the plan of one shard (no "shard": "K/N"): make each with plan --shard K/N --json`,
    );
  return { index: Number(m[1]), count: Number(m[2]) };
}

const byName = (a: DevicePlan, b: DevicePlan) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0);

export function mergePlans(inputs: readonly NamedPlan[]): Plan {
  if (inputs.length === 0) throw new MergeError("no plan to merge: give the plan of every shard");
  const first = inputs[0] as NamedPlan;
  for (const p of inputs)
    if (p.plan.version !== 1)
      throw new MergeError(`${p.file}: plan format version ${String(p.plan.version)}, expected 1`);
  const count = shardOf(first).count;
  const fileOfShard = new Map<number, string>();
  for (const p of inputs) {
    const s = shardOf(p);
    if (s.count !== count)
      throw new MergeError(
        `${p.file} is shard ${s.index}/${s.count} but ${first.file} is of ${count} shards: every plan must come from the same --shard K/${count} split`,
      );
    const seen = fileOfShard.get(s.index);
    if (seen !== undefined)
      throw new MergeError(`shard ${s.index}/${count} is given twice: ${seen} and ${p.file}`);
    fileOfShard.set(s.index, p.file);
    if ((p.plan.revision ?? null) !== (first.plan.revision ?? null))
      throw new MergeError(
        `${p.file} was planned at revision ${p.plan.revision ?? "(none: outside git)"} but ${first.file} at ${first.plan.revision ?? "(none: outside git)"}: every shard must plan the same revision`,
      );
  }
  const missing: number[] = [];
  for (let k = 1; k <= count; k++) if (!fileOfShard.has(k)) missing.push(k);
  if (missing.length > 0)
    throw new MergeError(
      `shard(s) ${missing.map((k) => `${k}/${count}`).join(", ")} missing (given: ${inputs.map((p) => `${p.file} = ${p.plan.shard?.shard}`).join(", ")}): a merged plan must cover the whole fleet`,
    );
  // A device belongs to one shard's list and is planned by that shard only: the split is the same
  // everywhere only if the inventory was, so an overlap means the shards read different fleets.
  const listedIn = new Map<string, string>();
  const plannedIn = new Map<string, string>();
  for (const p of inputs) {
    const own = new Set(p.plan.shard?.devices ?? []);
    for (const d of own) {
      const other = listedIn.get(d);
      if (other !== undefined)
        throw new MergeError(
          `device ${d} is in the shard of ${other} and of ${p.file}: the shards were split from different inventories`,
        );
      listedIn.set(d, p.file);
    }
    for (const d of p.plan.devices) {
      const other = plannedIn.get(d.device);
      if (other !== undefined)
        throw new MergeError(`device ${d.device} is planned in both ${other} and ${p.file}`);
      plannedIn.set(d.device, p.file);
      if (!own.has(d.device))
        throw new MergeError(
          `${p.file} plans device ${d.device}, which its shard ${p.plan.shard?.shard} does not list`,
        );
    }
  }
  const ordered = [...inputs].sort((a, b) => shardOf(a).index - shardOf(b).index);
  const newest =
    inputs
      .map((p) => p.plan.createdAt)
      .sort()
      .at(-1) ?? first.plan.createdAt;
  // Every shard computes the routing impact of the whole repository alike: shard 1's stands for all.
  const impact = ordered.map((p) => p.plan.impact).find((i) => i !== undefined);
  return {
    version: 1,
    createdAt: newest,
    origin: first.plan.origin,
    ...(first.plan.revision !== undefined ? { revision: first.plan.revision } : {}),
    devices: ordered.flatMap((p) => p.plan.devices).sort(byName),
    ...(impact !== undefined ? { impact } : {}),
  };
}
