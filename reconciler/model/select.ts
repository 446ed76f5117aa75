// --limit: which devices a command acts on. Comma-separated terms, as Ansible's --limit reads them:
//   core-1        a device, or a group of the inventory, by its exact name
//   core-*        a glob (* and ?) over device names
//   site=pop-1    a label selector (the value may be a glob)
//   !term         any of the above, excluded
// A device is selected when it matches any inclusion and no exclusion: exclusions apply after the
// inclusions, and a limit made only of exclusions starts from the whole inventory. A name that is
// neither a device nor a group is a typo and an error listing what exists, rather than a silent
// empty selection. Pure: no I/O, the caller turns SelectorError into its own kind of error.
import type { ResolvedDevice } from "./repo.ts";

const BARE = /^[A-Za-z0-9_*?-]+$/;
const LABEL = /^[a-z][a-z0-9_-]*=[A-Za-z0-9_.*?-]+$/;
/** At most this many names of each kind in an error message: an inventory may hold thousands. */
const LIST_AT_MOST = 20;

export class SelectorError extends Error {}

export type Term =
  | { kind: "name"; name: string; exclude: boolean }
  | { kind: "glob"; glob: RegExp; exclude: boolean }
  | { kind: "label"; key: string; value: RegExp; exclude: boolean };

export interface SelectOptions {
  /**
   * "error" (the default, --limit): a bare name that is neither a device nor a group fails.
   * "ignore" (rollout.canary): a canary may be removed from the inventory before its selector.
   */
  unknownNames?: "error" | "ignore";
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** The terms of a limit, in order; throws SelectorError on a term of no known shape. */
export function parseLimit(limit: string): Term[] {
  return limit.split(",").map((raw) => {
    const t = raw.trim();
    const exclude = t.startsWith("!");
    const body = exclude ? t.slice(1) : t;
    if (LABEL.test(body)) {
      const eq = body.indexOf("=");
      return { kind: "label", key: body.slice(0, eq), value: globToRegExp(body.slice(eq + 1)), exclude };
    }
    if (BARE.test(body)) {
      return /[*?]/.test(body)
        ? { kind: "glob", glob: globToRegExp(body), exclude }
        : { kind: "name", name: body, exclude };
    }
    throw new SelectorError(
      `invalid --limit term ${JSON.stringify(t)}: expected a device or group name (core-1), a name glob (core-*), a label (site=pop-1), or one of those after ! to exclude it`,
    );
  });
}

function listed(kind: string, names: readonly string[]): string {
  if (names.length === 0) return `no ${kind}`;
  const shown = names.slice(0, LIST_AT_MOST).join(", ");
  return `${kind}: ${shown}${names.length > LIST_AT_MOST ? `, … (${names.length} in all)` : ""}`;
}

function matches(term: Term, d: ResolvedDevice): boolean {
  switch (term.kind) {
    case "name":
      return d.name === term.name || d.groups.includes(term.name);
    case "glob":
      return term.glob.test(d.name);
    case "label": {
      const value = d.labels[term.key];
      return value !== undefined && term.value.test(value);
    }
  }
}

export function selectDevices(
  devices: readonly ResolvedDevice[],
  limit: string | undefined,
  options: SelectOptions = {},
): ResolvedDevice[] {
  if (limit === undefined || limit === "") return [...devices];
  const terms = parseLimit(limit);
  if ((options.unknownNames ?? "error") === "error") {
    const names = new Set(devices.map((d) => d.name));
    const groups = new Set(devices.flatMap((d) => d.groups));
    const unknown = terms.filter((t) => t.kind === "name" && !names.has(t.name) && !groups.has(t.name));
    if (unknown.length > 0) {
      const which = unknown.map((t) => JSON.stringify(t.kind === "name" ? t.name : "")).join(", ");
      throw new SelectorError(
        `--limit names ${which}, which is neither a device nor a group of the inventory (${listed("devices", [...names].sort())}; ${listed("groups", [...groups].sort())})`,
      );
    }
  }
  const include = terms.filter((t) => !t.exclude);
  const exclude = terms.filter((t) => t.exclude);
  const selected = devices.filter(
    (d) =>
      (include.length === 0 || include.some((t) => matches(t, d))) && !exclude.some((t) => matches(t, d)),
  );
  if (selected.length === 0) throw new SelectorError(`--limit ${JSON.stringify(limit)} matches no device`);
  return selected;
}

/** Runs fn over items with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
