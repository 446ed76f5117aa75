// `ogcli export` files: a sequence of stanzas
//   ogcli update system/hostname << 'END'
//   hostname="oob-1"
//   END
// (opengear/ogcli-diff parses them the same way: `#` comment lines, a command line ending in
// `'END'`, body lines, `END`; a command line without a here-document is a stanza by itself) whose
// order means nothing: ogcli-diff keys stanzas by their command line, so each appears once:
// singletons as `update PATH`, lists whole as `replace LIST`.
import { createHash } from "node:crypto";
import { keyStanzas } from "./authorized-keys.ts";
import { ERR, OgError } from "./errors.ts";
import { view } from "./model.ts";
import { ENTITIES, type Entity, type Field, type Fields } from "./schema.ts";
import { type SecretsMode, showSecret } from "./secrets.ts";
import type { Store } from "./store.ts";
import { flatten, isObj, type Obj, type Value } from "./values.ts";

export interface Stanza {
  /** 1-based line of the command. */
  line: number;
  /** The words after `ogcli`, unquoted. */
  argv: string[];
  /** Body lines (here-document), or undefined for a one-line command. */
  body?: string[];
}

/** Words of a command line, with '…' and "…" quoting and backslash escapes (as a shell does). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let q: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (q === "'") {
      if (c === "'") q = undefined;
      else cur += c;
    } else if (q === '"') {
      if (c === '"') q = undefined;
      else if (c === "\\" && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else cur += c;
  }
  if (q) throw new OgError(ERR.requestBody());
  if (has || cur) out.push(cur);
  return out;
}

export function parseStanzas(text: string): Stanza[] {
  const lines = text.split("\n");
  const out: Stanza[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = (lines[i] as string).trim();
    if (!t || t.startsWith("#")) continue;
    const heredoc = /^(.*?)\s*<<-?\s*(['"]?)([A-Za-z_]+)\2\s*$/.exec(t);
    const words = shellWords(heredoc ? (heredoc[1] as string) : t);
    if (words[0] !== "ogcli") throw new OgError(ERR.stanza(i + 1, t));
    const st: Stanza = { line: i + 1, argv: words.slice(1) };
    if (heredoc) {
      const end = heredoc[3] as string;
      st.body = [];
      for (i++; i < lines.length && (lines[i] as string).trim() !== end; i++)
        st.body.push(lines[i] as string);
      if (i >= lines.length) throw new OgError(ERR.stanza(st.line, `no ${end} after ${t}`));
    }
    out.push(st);
  }
  return out;
}

/** Secrets of VALUE (by the FIELDS describing it) shown in MODE. */
export function hideSecrets(fields: Fields, v: Obj, mode: SecretsMode): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const f = fields[k];
    out[k] = f ? hideField(f, x, mode) : x;
  }
  return out;
}

function hideField(f: Field, x: Value, mode: SecretsMode): Value {
  if (f.t === "string" && f.secret && typeof x === "string") return showSecret(x, mode);
  if (f.t === "object" && isObj(x)) return hideSecrets(f.fields, x, mode);
  if (f.t === "array" && Array.isArray(x))
    return x.map((e) =>
      "t" in f.of ? hideField(f.of as Field, e, mode) : isObj(e) ? hideSecrets(f.of as Fields, e, mode) : e,
    );
  return x;
}

/** The writable part of an item or singleton (what import takes back); lists keep their ids. */
function writable(fields: Fields, v: Obj, keepId: boolean): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const f = fields[k];
    if (!f || (f.ro && !(keepId && k === "id"))) continue;
    if (f.t === "object" && isObj(x)) out[k] = writable(f.fields, x, false);
    else if (f.t === "array" && !("t" in f.of) && Array.isArray(x))
      out[k] = x.map((e) => (isObj(e) ? writable(f.of as Fields, e, false) : e));
    else out[k] = x;
  }
  return out;
}

function stanzaOf(store: Store, e: Entity, mode: SecretsMode): string {
  if (e.kind === "singleton") {
    const body = flatten(hideSecrets(e.fields, writable(e.fields, store.data[e.key] as Obj, false), mode));
    return [`ogcli update ${e.path} << 'END'`, ...body, "END"].join("\n");
  }
  const list = (store.data[e.key] as Obj[]).map((it) =>
    hideSecrets(e.fields, writable(e.fields, view(store, e, it), true), mode),
  );
  return [`ogcli replace ${e.path} << 'END'`, ...flatten(list, e.path), "END"].join("\n");
}

/**
 * The whole configuration as stanzas. Their order carries no meaning for a reader: the
 * independent stanzas are rotated by a hash of the content (the same store always exports the same
 * bytes, another may start elsewhere). Only what restore needs in order stays in order, as one
 * block: groups before the users naming them, users before their SSH keys.
 */
export function exportText(store: Store, mode: SecretsMode): string {
  const chainKeys = ["groups", "users"];
  const entities = ENTITIES.filter((e) => !e.readOnly);
  const free = entities.filter((e) => !chainKeys.includes(e.key)).map((e) => stanzaOf(store, e, mode));
  const chain = [
    ...chainKeys.map((k) => stanzaOf(store, entities.find((e) => e.key === k) as Entity, mode)),
    ...keyStanzas(store),
  ].join("\n\n");
  const h = createHash("sha256")
    .update(free.join("\n") + chain)
    .digest();
  const k = (h[0] as number) % free.length;
  const rotated = [...free.slice(k), ...free.slice(0, k)];
  rotated.splice((h[1] as number) % (rotated.length + 1), 0, chain);
  return `${rotated.join("\n\n")}\n`;
}
