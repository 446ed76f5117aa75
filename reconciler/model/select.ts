// --limit: which devices a command acts on. Comma-separated terms; a term is a device name glob
// (core-*, router-?) or a label selector (site=site-a, role=mesh). A device matches any term.
import type { ResolvedDevice } from "./repo.ts";

const TERM = /^([a-z0-9*?-]+|[a-z][a-z0-9_-]*=[A-Za-z0-9_.*?-]+)$/;

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export class SelectorError extends Error {}

export function selectDevices(
  devices: readonly ResolvedDevice[],
  limit: string | undefined,
): ResolvedDevice[] {
  if (limit === undefined || limit === "") return [...devices];
  const terms = limit.split(",").map((t) => t.trim());
  for (const t of terms) {
    if (!TERM.test(t))
      throw new SelectorError(
        `invalid --limit term ${JSON.stringify(t)}: expected a name glob such as core-* or a label such as site=pop-1`,
      );
  }
  const match = (d: ResolvedDevice) =>
    terms.some((t) => {
      const eq = t.indexOf("=");
      if (eq < 0) return globToRegExp(t).test(d.name);
      const value = d.labels[t.slice(0, eq)];
      return value !== undefined && globToRegExp(t.slice(eq + 1)).test(value);
    });
  const selected = devices.filter(match);
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
