// ogcli: options, verbs, output and errors, over a store held in memory (ogcli-main.ts loads and
// saves it). One operation is atomic (checked whole, refused whole); import and restore are not:
// they run their stanzas in order and stop at the first error, the earlier ones staying applied
// (PLATFORMS.md; opengear/ogcli-restore-rollback exists because of it).
import { AK_PATH, authorizedKeys, pruneKeys } from "./authorized-keys.ts";
import { ERR, OgError } from "./errors.ts";
import { type Faults, journal, readFaults, type SimFiles, takeFault } from "./faults.ts";
import {
  checkStore,
  createItem,
  deleteItem,
  entity,
  findItem,
  mergeList,
  replaceList,
  updateItem,
  updateSingleton,
  view,
} from "./model.ts";
import { ENTITIES, type Entity } from "./schema.ts";
import type { SecretsMode } from "./secrets.ts";
import { exportText, hideSecrets, parseStanzas, type Stanza } from "./stanzas.ts";
import { cloneStore, factoryStore, type Store } from "./store.ts";
import { flatten, type Obj, parseAssignments, SyntaxError_ } from "./values.ts";

export interface OgcliIo {
  /** Read only by the verbs that take input there: `ogcli get` over an SSH channel left open must not hang. */
  stdin(): string;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  sim?: SimFiles;
}

export interface OgcliResult {
  stdout: string;
  stderr: string;
  code: number;
  store: Store;
}

const VERBS = [
  "get",
  "update",
  "create",
  "delete",
  "replace",
  "merge",
  "export",
  "import",
  "restore",
  "diff",
];
const WRITES = new Set(["update", "create", "delete", "replace", "merge"]);

interface Ctx {
  faults: Faults;
  io: OgcliIo;
  secrets: SecretsMode;
}

function body(words: string[], stdinLines: string[] | undefined): Obj {
  const assigns = words.filter((w) => w.includes("="));
  try {
    return parseAssignments(assigns.length > 0 ? assigns : (stdinLines ?? []));
  } catch (e) {
    if (e instanceof SyntaxError_) throw new OgError(ERR.requestBody());
    throw e;
  }
}

/** One operation: VERB ENTITY [ID] [field=value...] (or BODY lines). Mutates STORE; returns stdout. */
function operate(store: Store, verb: string, args: string[], lines: string[] | undefined, ctx: Ctx): string {
  const [path, ...rest] = args;
  if (!path) throw new OgError(ERR.usage());
  if (path === AK_PATH) {
    const fault = takeFault(ctx.io.sim, ctx.faults, verb, path);
    if (fault) throw new OgError(fault);
    const out = authorizedKeys(store, verb, rest, () => body(rest, lines));
    checkStore(store);
    return out;
  }
  const e = entity(path);
  const isItem = e.kind === "list" && path === e.item;
  const id = isItem ? rest.find((w) => !w.includes("=")) : undefined;
  const fault = takeFault(ctx.io.sim, ctx.faults, verb, path);
  if (fault) throw new OgError(fault);
  if (verb === "get") {
    if (e.kind === "singleton")
      return lines_(
        hideSecrets(e.fields, view(store, e, store.data[e.key] as Obj, ctx.faults.failover_status), "mask"),
      );
    if (isItem) {
      if (!id) throw new OgError(ERR.idRequired(path));
      return lines_(hideSecrets(e.fields, view(store, e, findItem(store, e, id)), "mask"));
    }
    const list = (store.data[e.key] as Obj[]).map((it) => hideSecrets(e.fields, view(store, e, it), "mask"));
    return joinLines(flatten(list, e.path));
  }
  if (e.readOnly) throw new OgError(ERR.readOnly(path));
  const input = verb === "delete" ? {} : body(rest, lines);
  switch (verb) {
    case "update":
    case "replace":
    case "merge":
      if (e.kind === "singleton") updateSingleton(store, e, input, verb === "replace");
      else if (isItem) {
        if (!id) throw new OgError(ERR.idRequired(path));
        updateItem(store, e, id, input, verb === "replace");
      } else if (verb === "replace") replaceList(store, e, input);
      else if (verb === "merge") mergeList(store, e, input);
      else throw new OgError(ERR.notSupported(verb, path));
      break;
    case "create":
      if (e.kind !== "list") throw new OgError(ERR.notSupported(verb, path));
      createItem(store, e, input);
      break;
    case "delete":
      if (!isItem) throw new OgError(ERR.notSupported(verb, path));
      if (!id) throw new OgError(ERR.idRequired(path));
      deleteItem(store, e, id);
      break;
  }
  pruneKeys(store);
  checkStore(store);
  return "";
}

const joinLines = (ls: string[]) => (ls.length ? `${ls.join("\n")}\n` : "");
const lines_ = (o: Obj) => joinLines(flatten(o));

/** A write operation on its own copy: kept only when every check passed. */
function atomically(store: Store, f: (s: Store) => string): [Store, string] {
  const copy = cloneStore(store);
  const out = f(copy);
  return [copy, out];
}

function readInput(file: string | undefined, io: OgcliIo): string {
  if (file === undefined || file === "-") return io.stdin();
  try {
    return io.readFile(file);
  } catch {
    throw new OgError(ERR.fileMissing(file));
  }
}

/** import / restore: the stanzas in order, each atomic, the run not (an error stops it there). */
function runStanzas(
  store: Store,
  stanzas: Stanza[],
  ctx: Ctx,
  restore: boolean,
): { store: Store; error?: string; progress: string } {
  let cur = store;
  let progress = "";
  const seen = new Set<string>();
  for (const st of stanzas) {
    const [verb, ...args] = st.argv;
    try {
      if (!verb || !WRITES.has(verb)) throw new OgError(ERR.unknownOperation(verb ?? ""));
      [cur] = atomically(cur, (s) => operate(s, verb, args, st.body, ctx));
      if (args[0] === AK_PATH) seen.add("authorized_keys");
      else if (args[0]) seen.add(entity(args[0]).key);
      progress += ".";
    } catch (err) {
      if (!(err instanceof OgError)) throw err;
      return { store: cur, error: `${ERR.stanza(st.line, err.message)}`, progress };
    }
  }
  if (restore) {
    // restore is the whole configuration: what the file does not mention goes back to factory.
    const ports = (cur.data.ports as Obj[]).length;
    const factory = factoryStore(String((cur.data.hostname as Obj).hostname), ports);
    cur = cloneStore(cur);
    for (const e of ENTITIES as Entity[])
      if (!e.readOnly && !seen.has(e.key)) cur.data[e.key] = factory.data[e.key] as Obj;
    if (!seen.has("authorized_keys")) cur.data.authorized_keys = {};
    pruneKeys(cur);
  }
  return { store: cur, progress };
}

function parseOptions(argv: string[]): { secrets: SecretsMode; rest: string[] } {
  let secrets: SecretsMode | undefined;
  const rest = [...argv];
  while (rest[0]?.startsWith("-")) {
    const o = rest.shift() as string;
    let v: string | undefined;
    if (o === "--secrets") v = rest.shift();
    else if (o.startsWith("--secrets=")) v = o.slice("--secrets=".length);
    else throw new OgError(ERR.usage());
    if (v !== "mask" && v !== "obfuscate" && v !== "cleartext") throw new OgError(ERR.usage());
    secrets = v;
  }
  return { secrets: secrets ?? "obfuscate", rest };
}

export function ogcli(argv: string[], store: Store, io: OgcliIo): OgcliResult {
  const ok = (stdout: string, s: Store = store): OgcliResult => ({ stdout, stderr: "", code: 0, store: s });
  const fail = (msg: string, s: Store = store, stdout = ""): OgcliResult => ({
    stdout,
    stderr: `${msg}\n`,
    code: 1,
    store: s,
  });
  journal(io.sim, { argv });
  try {
    const { secrets, rest } = parseOptions(argv);
    const ctx: Ctx = { faults: readFaults(io.sim), io, secrets };
    const [verb, ...args] = rest;
    if (!verb) throw new OgError(ERR.usage());
    if (!VERBS.includes(verb)) throw new OgError(ERR.unknownOperation(verb));
    if (verb === "get") return ok(operate(store, verb, args, undefined, ctx));
    if (WRITES.has(verb)) {
      const fromStdin = verb !== "delete" && !args.some((w) => w.includes("="));
      const stdinLines = fromStdin ? io.stdin().split("\n") : undefined;
      const [next, out] = atomically(store, (s) => operate(s, verb, args, stdinLines, ctx));
      return ok(out, next);
    }
    if (verb === "export") {
      const fault = takeFault(io.sim, ctx.faults, verb, "");
      if (fault) throw new OgError(fault);
      const text = exportText(store, secrets);
      if (args[0]) {
        io.writeFile(args[0], text);
        return ok("");
      }
      return ok(text);
    }
    if (verb === "import" || verb === "restore") {
      const stanzas = parseStanzas(readInput(args[0], io));
      const r = runStanzas(store, stanzas, ctx, verb === "restore");
      if (r.error) return fail(r.error, r.store);
      // napalm-opengear's commit() looks for a line "import successful" / "restore successful".
      return ok(`${verb} successful\n`, r.store);
    }
    // diff FILE: what applying FILE would change, stanza by stanza (as opengear/ogcli-diff).
    const wanted = parseStanzas(readInput(args[0], io));
    const r = runStanzas(store, wanted, ctx, false);
    if (r.error) return fail(r.error);
    return ok(diffStanzas(exportText(store, "cleartext"), exportText(r.store, "cleartext")));
  } catch (err) {
    if (err instanceof OgError) return fail(err.message);
    throw err;
  }
}

/** `-`/`+` lines per stanza whose body differs (keyed by the command line, order ignored). */
export function diffStanzas(before: string, after: string): string {
  const byCmd = (t: string) => {
    const m = new Map<string, string[]>();
    for (const st of parseStanzas(t)) m.set(st.argv.join(" "), st.body ?? []);
    return m;
  };
  const a = byCmd(before);
  const b = byCmd(after);
  const out: string[] = [];
  for (const [cmd, bodyA] of a) {
    const bodyB = b.get(cmd) ?? [];
    const removed = bodyA.filter((l) => !bodyB.includes(l));
    const added = bodyB.filter((l) => !bodyA.includes(l));
    if (removed.length || added.length)
      out.push(`ogcli ${cmd}`, ...removed.map((l) => `-${l}`), ...added.map((l) => `+${l}`));
  }
  return out.length ? `${out.join("\n")}\n` : "";
}
