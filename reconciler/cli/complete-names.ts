// `reconciler __complete-names`: the device and group names of the inventory, one a line, for the
// completion scripts. Reads only inventory/inventory.yaml (no validation, no git: it runs at every
// Tab), prints only names a shell can take as they are, and prints nothing when there is no
// readable inventory: a completion never shows an error.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** An inventory larger than this is not read at Tab time. */
const MAX_BYTES = 4 * 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

const keysOf = (v: unknown): string[] =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : [];

/** Device names, then group names (declared, or only named by a device), sorted and unique. */
export function inventoryNames(text: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch {
    return [];
  }
  const inv = (doc ?? {}) as { devices?: unknown; groups?: unknown };
  const devices = keysOf(inv.devices);
  const groups = new Set(keysOf(inv.groups));
  for (const name of devices) {
    const g = (inv.devices as Record<string, { groups?: unknown } | null>)[name]?.groups;
    if (Array.isArray(g)) for (const x of g) if (typeof x === "string") groups.add(x);
  }
  const ok = (xs: Iterable<string>) => [...new Set(xs)].filter((n) => NAME.test(n)).sort();
  return [...ok(devices), ...ok(groups).filter((g) => !devices.includes(g))];
}

export function completeNames(repo: string): string {
  const path = join(repo, "inventory", "inventory.yaml");
  try {
    if (statSync(path).size > MAX_BYTES) return "";
    const names = inventoryNames(readFileSync(path, "utf8"));
    return names.length ? `${names.join("\n")}\n` : "";
  } catch {
    return "";
  }
}
