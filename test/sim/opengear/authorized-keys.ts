// ssh/authorized_keys: a user's SSH keys, an entity that takes a user as an extra identifier
// (Opengear's Config Shell guide: "ssh/authorized_keys > userid > [key_id]"; REST
// /users/{id}/ssh/authorized_keys with items {id: "users_ssh_authorized_keys-N", key}).
//   ogcli get ssh/authorized_keys USER            authorized_keys[0].id=… / .key=…
//   ogcli create ssh/authorized_keys USER <<END   key="ssh-ed25519 …"
//   ogcli delete ssh/authorized_keys USER KEY_ID
//   ogcli replace ssh/authorized_keys USER <<END  authorized_keys[0].key=…  (the user's whole list)
// USER is a user id or username. Stored per user id; a deleted user's keys go with it.
import { ERR, OgError } from "./errors.ts";
import { findItem } from "./model.ts";
import { ENTITIES, type Entity } from "./schema.ts";
import type { Store } from "./store.ts";
import { flatten, isObj, type Obj } from "./values.ts";

export const AK_PATH = "ssh/authorized_keys";
const KEY_RE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const users = ENTITIES.find((e) => e.key === "users") as Entity;

function table(store: Store): { [userId: string]: Obj[] } {
  if (!isObj(store.data.authorized_keys)) store.data.authorized_keys = {};
  return store.data.authorized_keys as unknown as { [userId: string]: Obj[] };
}

function newKey(store: Store, key: unknown): Obj {
  if (typeof key !== "string") throw new OgError(ERR.required("key"));
  if (!KEY_RE.test(key.trim())) throw new OgError(ERR.invalidValue("key", key));
  const n = store.next.authorized_keys ?? 1;
  store.next.authorized_keys = n + 1;
  return { id: `users_ssh_authorized_keys-${n}`, key: key.trim() };
}

function onlyKeys(input: Obj, allowed: string[]): void {
  for (const k of Object.keys(input)) if (!allowed.includes(k)) throw new OgError(ERR.invalidParameter(k));
}

export function authorizedKeys(store: Store, verb: string, rest: string[], input: () => Obj): string {
  const words = rest.filter((w) => !w.includes("="));
  const who = words[0];
  if (!who) throw new OgError(ERR.idRequired(AK_PATH));
  const uid = findItem(store, users, who).id as string;
  const t = table(store);
  const list = t[uid] ?? [];
  switch (verb) {
    case "get":
      return flatten(list, "authorized_keys")
        .map((l) => `${l}\n`)
        .join("");
    case "create": {
      const body = input();
      onlyKeys(body, ["key"]);
      t[uid] = [...list, newKey(store, body.key)];
      return "";
    }
    case "delete": {
      const id = words[1];
      if (!id) throw new OgError(ERR.idRequired(AK_PATH));
      if (!list.some((k) => k.id === id)) throw new OgError(ERR.notFound("authorized key", id));
      t[uid] = list.filter((k) => k.id !== id);
      return "";
    }
    case "replace": {
      const body = input();
      onlyKeys(body, ["authorized_keys"]);
      const els = body.authorized_keys ?? [];
      if (!Array.isArray(els)) throw new OgError(ERR.invalidValue("authorized_keys", String(els)));
      t[uid] = els.map((el) => {
        if (!isObj(el)) throw new OgError(ERR.requestBody());
        onlyKeys(el, ["id", "key"]);
        const same = list.find((k) => k.key === el.key);
        return same ?? newKey(store, el.key);
      });
      return "";
    }
    default:
      throw new OgError(ERR.notSupported(verb, AK_PATH));
  }
}

/** Drop the keys of users that no longer exist. */
export function pruneKeys(store: Store): void {
  const t = table(store);
  const ids = new Set((store.data.users as Obj[]).map((u) => u.id));
  for (const uid of Object.keys(t)) if (!ids.has(uid)) delete t[uid];
}

/** Export stanzas: one `replace` per user holding keys, named by username. */
export function keyStanzas(store: Store): string[] {
  const t = table(store);
  return (store.data.users as Obj[])
    .filter((u) => (t[u.id as string] ?? []).length > 0)
    .map((u) =>
      [
        `ogcli replace ${AK_PATH} "${u.username}" << 'END'`,
        ...flatten(
          (t[u.id as string] ?? []).map((k) => ({ key: k.key as string })),
          "authorized_keys",
        ),
        "END",
      ].join("\n"),
    );
}
