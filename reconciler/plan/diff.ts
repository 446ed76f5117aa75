// The semantic diff: desired state against live state, both already normalized by the driver.
// Lists are matched by key (plan/keys.ts, plus the platform's own lists given in the options),
// scalar lists are sets, everything else by value.
// Pure and deterministic: the same inputs give the same changes in the same order.
import type { Change, Unmanaged } from "../model/plan.ts";
import type { ListRules } from "../model/platform.ts";
import { LIST_KEYS, ORDERED_LISTS, SHARED_COLLECTIONS } from "./keys.ts";

export interface DiffResult {
  changes: Change[];
  unmanaged: Unmanaged[];
}

export interface DiffOptions {
  device: string;
  /** Paths of shared-collection items the reconciler created, e.g. "wireguard[wg-old]". */
  owned?: ReadonlySet<string>;
  /** Lists only this platform has (its raw escape hatches), from its descriptor: see rawListRules. */
  lists?: ListRules;
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

const keyText = (v: Json) => (typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v));

export function diffStates(desired: Json, live: Json, opts: DiffOptions): DiffResult {
  const out: DiffResult = { changes: [], unmanaged: [] };
  const listKeys: Readonly<Record<string, string>> = { ...LIST_KEYS, ...opts.lists?.keys };
  const ordered = new Set([...ORDERED_LISTS, ...(opts.lists?.ordered ?? [])]);
  const emit = (path: string, action: Change["action"], before: Json, after: Json) => {
    const change: Change = { device: opts.device, path, action };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    out.changes.push(change);
  };

  const walk = (path: string, schemaPath: string, want: Json, have: Json): void => {
    if (want === undefined && have === undefined) return;
    // A whole section git does not describe (say, forwarding on a device whose desired state has
    // none) is the device's own business, unless the reconciler wrote it before.
    if (want === undefined && path === schemaPath && !path.includes(".") && !SHARED_COLLECTIONS.has(path)) {
      if (opts.owned?.has(path)) emit(path, "delete", have, undefined);
      else out.unmanaged.push({ path, value: have });
      return;
    }
    // A keyed list on one side only: compare item by item, so each item is its own change
    // (and each foreign item of a shared collection its own unmanaged entry).
    if (listKeys[schemaPath] !== undefined && (Array.isArray(want) || Array.isArray(have))) {
      walkList(path, schemaPath, Array.isArray(want) ? want : [], Array.isArray(have) ? have : []);
      return;
    }
    if (want === undefined) {
      const top = schemaPath.split(".")[0] ?? "";
      // An item of a shared collection that git does not name: not ours to delete unless we made it.
      if (SHARED_COLLECTIONS.has(top) && schemaPath === top && !opts.owned?.has(path)) {
        out.unmanaged.push({ path, value: have });
      } else emit(path, "delete", have, undefined);
      return;
    }
    if (have === undefined) {
      emit(path, "create", undefined, want);
      return;
    }
    if (Array.isArray(want) && Array.isArray(have)) {
      walkList(path, schemaPath, want, have);
      return;
    }
    if (isObject(want) && isObject(have)) {
      const keys = [...Object.keys(want), ...Object.keys(have).filter((k) => !(k in want))];
      for (const k of keys)
        walk(path ? `${path}.${k}` : k, schemaPath ? `${schemaPath}.${k}` : k, want[k], have[k]);
      return;
    }
    if (!deepEqual(want, have)) emit(path, "update", have, want);
  };

  const walkList = (path: string, schemaPath: string, want: Json[], have: Json[]): void => {
    const key = listKeys[schemaPath];
    if (key !== undefined) {
      const index = (items: Json[]) =>
        new Map(items.map((item) => [keyText(isObject(item) ? item[key] : item), item] as const));
      const w = index(want);
      const h = index(have);
      const ids = [...w.keys(), ...[...h.keys()].filter((k) => !w.has(k))];
      for (const id of ids) walk(`${path}[${id}]`, schemaPath, w.get(id), h.get(id));
      return;
    }
    const scalars = [...want, ...have].every((v) => !isObject(v) && !Array.isArray(v));
    if (scalars && !ordered.has(schemaPath)) {
      const w = new Set(want.map(keyText));
      const h = new Set(have.map(keyText));
      for (const v of want) if (!h.has(keyText(v))) emit(`${path}[${keyText(v)}]`, "create", undefined, v);
      for (const v of have) if (!w.has(keyText(v))) emit(`${path}[${keyText(v)}]`, "delete", v, undefined);
      return;
    }
    if (!deepEqual(want, have)) emit(path, "update", have, want);
  };

  walk("", "", desired ?? {}, live ?? {});
  return out;
}
