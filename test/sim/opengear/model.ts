// The operations on entities, over the store: type checks against the schema, the semantics of
// update (the given fields), replace (the given fields, the rest back to defaults), merge (lists:
// matching items updated, others added), create and delete, and the checks across entities
// (a user's groups exist, a connection's interface exists, failover needs its probe).
import { createHash } from "node:crypto";
import { ERR, OgError } from "./errors.ts";
import { ENTITIES, type Entity, entityByPath, type Field, type Fields } from "./schema.ts";
import { readSecret } from "./secrets.ts";
import { factoryStore, type Store } from "./store.ts";
import { isObj, type Obj, type Value } from "./values.ts";
import { genPrivateKey, publicKeyOf } from "./wg-keys.ts";

/** Defaults of a new item of a list (what the API fills in when a create leaves a field out). */
const ITEM_DEFAULTS: { [key: string]: Obj } = {
  conns: { name: "", description: "", physif: "", mode: "dhcp" },
  users: {
    description: "",
    enabled: true,
    groups: [],
    hashed_password: "",
    no_password: false,
    ssh_password_enabled: true,
  },
  groups: { description: "", enabled: true, mode: "scoped", role: "ConsoleUser", ports: [] },
  wireguards: {
    description: "",
    enabled: true,
    private_key: "",
    listen_port: 0,
    mtu: 1420,
    addresses: [],
    peers: [],
  },
};

const show = (v: Value): string => (typeof v === "string" ? v : JSON.stringify(v));

function checkField(f: Field, v: Value, name: string, cur: Value | undefined): Value | undefined {
  switch (f.t) {
    case "string": {
      if (typeof v !== "string") throw new OgError(ERR.invalidValue(name, show(v)));
      let s: string | undefined = v;
      if (f.secret) {
        s = readSecret(v);
        if (s === undefined) return cur ?? "";
      }
      if (f.enum && !f.enum.includes(s)) throw new OgError(ERR.invalidValue(name, s));
      if (f.check && !f.check(s)) throw new OgError(ERR.invalidValue(name, f.secret ? "********" : s));
      return s;
    }
    case "bool":
      if (typeof v !== "boolean") throw new OgError(ERR.invalidValue(name, show(v)));
      return v;
    case "int":
      if (typeof v !== "number") throw new OgError(ERR.invalidValue(name, show(v)));
      if ((f.min !== undefined && v < f.min) || (f.max !== undefined && v > f.max))
        throw new OgError(ERR.invalidValue(name, String(v)));
      return v;
    case "array": {
      if (!Array.isArray(v)) throw new OgError(ERR.invalidValue(name, show(v)));
      const curArr = Array.isArray(cur) ? cur : [];
      return v.map((e, i) => {
        const n = `${name}[${i}]`;
        if ("t" in f.of) return checkField(f.of as Field, e, n, curArr[i]) as Value;
        if (!isObj(e)) throw new OgError(ERR.invalidValue(n, show(e)));
        const c = curArr[i];
        return checkObject(f.of as Fields, e, isObj(c) ? c : undefined, `${n}.`, false);
      });
    }
    case "object": {
      if (!isObj(v)) throw new OgError(ERR.invalidValue(name, show(v)));
      return checkObject(f.fields, v, isObj(cur) ? cur : undefined, `${name}.`, true);
    }
  }
}

/**
 * Input fields checked against FIELDS: unknown names refused, read-only fields ignored (as the
 * API ignores `id` or `status` sent back to it). With MERGE, the result keeps CUR's other fields.
 */
export function checkObject(
  fields: Fields,
  input: Obj,
  cur: Obj | undefined,
  prefix: string,
  merge: boolean,
): Obj {
  const out: Obj = merge && cur ? structuredClone(cur) : {};
  for (const [k, v] of Object.entries(input)) {
    const f = fields[k];
    if (!f) throw new OgError(ERR.invalidParameter(prefix + k));
    if (f.ro) continue;
    const r = checkField(f, v, prefix + k, cur?.[k]);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

export function entity(path: string): Entity {
  const e = entityByPath(path);
  if (!e) throw new OgError(ERR.unknownEntity(path));
  return e;
}

export function items(store: Store, e: Entity): Obj[] {
  return store.data[e.key] as Obj[];
}

export function findItem(store: Store, e: Entity, id: string): Obj {
  const it = items(store, e).find((x) => x.id === id || (e.nameField !== undefined && x[e.nameField] === id));
  if (!it) throw new OgError(ERR.notFound(e.item ?? e.path, id));
  return it;
}

function newId(store: Store, e: Entity): string {
  const n = store.next[e.key] ?? 1;
  store.next[e.key] = n + 1;
  return `${e.idPrefix}-${n}`;
}

/** Defaults for a replaced singleton or item: the factory's, or the list's item defaults. */
function defaultsOf(store: Store, e: Entity, item?: Obj): Obj {
  const ports = (store.data.ports as Obj[]).length;
  const factory = factoryStore(String((store.data.hostname as Obj).hostname), ports);
  if (e.kind === "singleton") return structuredClone(factory.data[e.key] as Obj);
  if (e.fixed && item) {
    const f = (factory.data[e.key] as Obj[]).find((x) => x.id === item.id);
    if (f) return structuredClone(f);
  }
  return structuredClone(ITEM_DEFAULTS[e.key] ?? {});
}

function hashPassword(pw: string): string {
  // The box stores a crypt(3) SHA-512 hash; the simulator stores a marked digest of its own.
  return `$6$sim$${createHash("sha512").update(pw).digest("base64").replace(/=+$/, "")}`;
}

/** Fields the API derives: a user's password becomes its hash; a tunnel gets a private key. */
function finishItem(e: Entity, it: Obj): Obj {
  if (e.key === "users" && typeof it.password === "string") {
    if (it.password !== "") it.hashed_password = hashPassword(it.password);
    delete it.password;
  }
  if (e.key === "wireguards" && !it.private_key) it.private_key = genPrivateKey();
  return it;
}

export function updateSingleton(store: Store, e: Entity, input: Obj, replace: boolean): void {
  const cur = store.data[e.key] as Obj;
  const base = replace ? defaultsOf(store, e) : cur;
  store.data[e.key] = checkObject(e.fields, input, base, "", true);
  // system/hostname and system/admin_info share the hostname: the one just written wins.
  const admin = store.data.admin_info as Obj | undefined;
  const host = store.data.hostname as Obj;
  if (admin && e.key === "hostname") admin.hostname = host.hostname as string;
  if (admin && e.key === "admin_info") host.hostname = admin.hostname as string;
}

export function updateItem(store: Store, e: Entity, id: string, input: Obj, replace: boolean): void {
  const it = findItem(store, e, id);
  const base: Obj = replace ? { ...defaultsOf(store, e, it), id: it.id as string } : it;
  const next = finishItem(e, checkObject(e.fields, input, base, "", true));
  next.id = it.id as string;
  const list = items(store, e);
  list[list.indexOf(it)] = next;
}

export function createItem(store: Store, e: Entity, input: Obj): Obj {
  if (e.fixed) throw new OgError(ERR.notSupported("create", e.item ?? e.path));
  for (const r of e.required ?? []) if (input[r] === undefined) throw new OgError(ERR.required(r));
  const it = finishItem(e, checkObject(e.fields, input, defaultsOf(store, e), "", true));
  const withId: Obj = { id: newId(store, e), ...it };
  items(store, e).push(withId);
  return withId;
}

export function deleteItem(store: Store, e: Entity, id: string): void {
  if (e.fixed) throw new OgError(ERR.notSupported("delete", e.item ?? e.path));
  const it = findItem(store, e, id);
  const list = items(store, e);
  list.splice(list.indexOf(it), 1);
}

/** The elements of a list body (`ports[0].label=…`): INPUT must be {<path>: [...]}. */
function listBody(e: Entity, input: Obj): Obj[] {
  const keys = Object.keys(input);
  if (keys.length === 0) return [];
  const bad = keys.find((k) => k !== e.path);
  if (bad) throw new OgError(ERR.invalidParameter(bad));
  const arr = input[e.path];
  if (!Array.isArray(arr)) throw new OgError(ERR.invalidValue(e.path, show(arr as Value)));
  return arr.map((x, i) => {
    if (!isObj(x)) throw new OgError(ERR.invalidValue(`${e.path}[${i}]`, show(x)));
    return x;
  });
}

function matchItem(store: Store, e: Entity, el: Obj): Obj | undefined {
  return items(store, e).find(
    (x) =>
      (typeof el.id === "string" && x.id === el.id) ||
      (e.nameField !== undefined && el[e.nameField] !== undefined && x[e.nameField] === el[e.nameField]),
  );
}

/** replace LIST: the list becomes the body (hardware lists: the items not given back to factory). */
export function replaceList(store: Store, e: Entity, input: Obj): void {
  const els = listBody(e, input);
  if (e.fixed) {
    const given = new Map<unknown, Obj>();
    els.forEach((el, i) => {
      const it = matchItem(store, e, el) ?? items(store, e)[i];
      if (!it) throw new OgError(ERR.notFound(e.item ?? e.path, String(el.id ?? i)));
      given.set(it.id, el);
    });
    store.data[e.key] = items(store, e).map((it) => {
      const base: Obj = { ...defaultsOf(store, e, it), id: it.id as string };
      const el = given.get(it.id);
      return el ? { ...checkObject(e.fields, el, base, "", true), id: it.id as string } : base;
    });
    return;
  }
  const next: Obj[] = [];
  for (const el of els) {
    for (const r of e.required ?? []) if (el[r] === undefined) throw new OgError(ERR.required(r));
    const old = matchItem(store, e, el);
    // A tunnel named again keeps its key (the key never leaves the box; export does not carry it in clear).
    const base: Obj = defaultsOf(store, e);
    if (old && e.key === "wireguards") base.private_key = old.private_key ?? "";
    const it = finishItem(e, checkObject(e.fields, el, base, "", true));
    next.push({ ...it, id: old ? (old.id as string) : newId(store, e) });
  }
  store.data[e.key] = next;
}

/** merge LIST: items matching by id or name updated, the others added; none removed. */
export function mergeList(store: Store, e: Entity, input: Obj): void {
  for (const el of listBody(e, input)) {
    const old = matchItem(store, e, el);
    if (old) updateItem(store, e, old.id as string, el, false);
    else createItem(store, e, el);
  }
}

function unique(e: Entity, list: Obj[]): void {
  if (!e.nameField) return;
  const seen = new Set<unknown>();
  for (const it of list) {
    const v = it[e.nameField];
    if (seen.has(v)) throw new OgError(ERR.duplicate(e.nameField, String(v)));
    seen.add(v);
  }
}

/** The checks across entities, after every operation (the API refuses such a request whole). */
export function checkStore(store: Store): void {
  const byKey = (k: string) => ENTITIES.find((e) => e.key === k) as Entity;
  for (const e of ENTITIES) if (e.kind === "list") unique(e, items(store, e));
  const groups = new Set(items(store, byKey("groups")).map((g) => g.groupname));
  const portIds = new Set(items(store, byKey("ports")).map((p) => p.id));
  const physifs = new Set(items(store, byKey("physifs")).map((p) => p.name));
  for (const u of items(store, byKey("users")))
    for (const g of (u.groups as string[]) ?? [])
      if (!groups.has(g)) throw new OgError(ERR.invalidValue("groups", g));
  for (const g of items(store, byKey("groups")))
    for (const p of (g.ports as string[]) ?? [])
      if (!portIds.has(p)) throw new OgError(ERR.invalidValue("ports", p));
  for (const c of items(store, byKey("conns")))
    if (!physifs.has(c.physif)) throw new OgError(ERR.invalidValue("physif", String(c.physif)));
  const fo = store.data.failover_settings as Obj;
  if (fo.enabled === true) {
    if (!fo.probe_address) throw new OgError(ERR.required("probe_address"));
    if (!physifs.has(fo.probe_physif))
      throw new OgError(ERR.invalidValue("probe_physif", String(fo.probe_physif)));
    if (!physifs.has(fo.failover_physif))
      throw new OgError(ERR.invalidValue("failover_physif", String(fo.failover_physif)));
  }
  const snmp = store.data.snmpd as Obj;
  if (snmp.enabled === true && snmp.enable_secure_snmp === true && snmp.security_name) {
    if (snmp.security_level !== "noAuthNoPriv" && !snmp.auth_password)
      throw new OgError(ERR.required("auth_password"));
    if (snmp.security_level === "authPriv" && !snmp.priv_password)
      throw new OgError(ERR.required("priv_password"));
  }
}

/** What `get` shows of a stored item or singleton: the derived, read-only fields added. */
export function view(store: Store, e: Entity, it: Obj, failoverStatus?: string): Obj {
  if (e.key === "failover_status") {
    const fo = store.data.failover_settings as Obj;
    return { status: failoverStatus ?? (fo.enabled === true ? "primary_complete" : "disabled") };
  }
  const v = structuredClone(it);
  if (e.key === "ports") {
    v.status = "ok";
    v.available_pinouts = ["X2", "X1"];
    v.sessions = [];
  }
  if (e.key === "wireguards" && typeof it.private_key === "string" && it.private_key)
    v.public_key = publicKeyOf(it.private_key);
  return v;
}
