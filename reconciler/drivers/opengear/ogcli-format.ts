// The text ogcli speaks, both ways. Pure.
//
// `ogcli get PATH` prints one `key=value` line per field: strings double-quoted, booleans,
// numbers and empty arrays bare (`enabled=true`, `physifs=[]`), nested keys dotted, array items
// indexed (`groups[0]="admin"`) (Opengear's OGCLI guide; the ansible-ng and opengear.om
// collections). `ogcli export` prints the whole store as stanzas, each an ogcli command whose
// fields follow in a quoted here-document:
//
//   # a comment
//   ogcli update port "ports-1" << 'END'
//   baudrate="9600"
//   END
//
// and single-line commands for entities with no fields to give. Stanzas have no meaningful order
// (opengear/ogcli-diff compares them per command line, never per line of text), so they are read
// into a list keyed by command and compared per entity.

/** A field value as ogcli prints it: a string (was quoted), or a bare token (true, 9600, []). */
export type OgValue = { s: string } | { bare: string };

/** One `key=value` field in print order; the key is dotted and indexed (peers[0].endpoint). */
export interface OgField {
  key: string;
  value: OgValue;
}

export interface Stanza {
  /** create, update, replace, merge, delete... */
  verb: string;
  /** The entity path: port, services/snmpd, user, failover/settings. */
  path: string;
  /** The entity's id when the command names it (`update port "ports-1"`). */
  id?: string;
  fields: OgField[];
  /** 1-based line of the command in the text, for messages. */
  line: number;
}

export class OgcliFormatError extends Error {}

/** Decodes a double-quoted ogcli string starting at text[0] === '"'; returns it and what follows. */
function readQuoted(text: string): { value: string; rest: string } {
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\") {
      const n = text[i + 1];
      if (n === undefined) break;
      out += n === "n" ? "\n" : n === "t" ? "\t" : n;
      i++;
      continue;
    }
    if (c === '"') return { value: out, rest: text.slice(i + 1) };
    out += c;
  }
  throw new OgcliFormatError(`unterminated string: ${text.slice(0, 60)}`);
}

/** One `key=value` line (leading blanks ignored), or undefined for a line that is not one. */
export function parseFieldLine(line: string): OgField | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_.[\]-]*)\s*=(.*)$/.exec(line);
  if (!m) return undefined;
  const key = m[1] as string;
  const raw = (m[2] as string).trim();
  if (raw.startsWith('"')) return { key, value: { s: readQuoted(raw).value } };
  return { key, value: { bare: raw } };
}

/** `ogcli get PATH` output: every field line, in order. */
export function parseGet(text: string): OgField[] {
  const out: OgField[] = [];
  for (const line of text.split("\n")) {
    const f = parseFieldLine(line);
    if (f) out.push(f);
  }
  return out;
}

/** Splits a command line into words: double- or single-quoted words, or plain ones. */
function words(line: string): string[] {
  const out: string[] = [];
  let rest = line.trim();
  while (rest.length > 0) {
    if (rest.startsWith('"')) {
      const q = readQuoted(rest);
      out.push(q.value);
      rest = q.rest.trimStart();
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) throw new OgcliFormatError(`unterminated quote: ${line}`);
      out.push(rest.slice(1, end));
      rest = rest.slice(end + 1).trimStart();
    } else {
      const m = /^\S+/.exec(rest);
      out.push(m?.[0] ?? "");
      rest = rest.slice(m?.[0].length ?? 1).trimStart();
    }
  }
  return out;
}

/**
 * `ogcli export` text → its stanzas. Comments and blank lines are skipped; a command without a
 * here-document is a stanza without fields; an unterminated here-document is an error (a cut
 * output must never read as a short store).
 */
export function parseExport(text: string): Stanza[] {
  const lines = text.split("\n");
  const out: Stanza[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!line.startsWith("ogcli "))
      throw new OgcliFormatError(`line ${i + 1}: not an ogcli command: ${line}`);
    const heredoc = /\s*<<\s*-?\s*(['"]?)([A-Za-z_]+)\1\s*$/.exec(line);
    const head = heredoc ? line.slice(0, heredoc.index) : line;
    const w = words(head).slice(1);
    const [verb, path, ...args] = w;
    if (!verb || !path) throw new OgcliFormatError(`line ${i + 1}: an ogcli command without a path: ${line}`);
    const stanza: Stanza = { verb, path, fields: [], line: i + 1 };
    for (const a of args) {
      const f = parseFieldLine(a);
      if (f) stanza.fields.push(f);
      else if (stanza.id === undefined) stanza.id = a;
    }
    if (heredoc) {
      const end = heredoc[2] as string;
      let closed = false;
      for (i++; i < lines.length; i++) {
        const body = lines[i] as string;
        if (body.trim() === end) {
          closed = true;
          break;
        }
        const f = parseFieldLine(body);
        if (f) stanza.fields.push(f);
        else if (body.trim() !== "")
          throw new OgcliFormatError(`line ${i + 1}: not a key=value field: ${body.trim()}`);
      }
      if (!closed) throw new OgcliFormatError(`line ${stanza.line}: here-document never ends (${end})`);
    }
    out.push(stanza);
  }
  return out;
}

/** A field's text: the string itself, or the bare token. */
export const text = (v: OgValue | undefined): string | undefined =>
  v === undefined ? undefined : "s" in v ? v.s : v.bare;

/** Fields by key (the last one wins, as a later line would). */
export function fieldMap(fields: readonly OgField[]): Map<string, OgValue> {
  return new Map(fields.map((f) => [f.key, f.value]));
}

/** The items of an indexed array field: `groups[0]`, `groups[1]`... in index order. */
export function arrayOf(fields: ReadonlyMap<string, OgValue>, key: string): string[] {
  const items: [number, string][] = [];
  const re = new RegExp(`^${key.replace(/[.[\]]/g, "\\$&")}\\[(\\d+)\\]$`);
  for (const [k, v] of fields) {
    const m = re.exec(k);
    if (m) items.push([Number(m[1]), text(v) ?? ""]);
  }
  return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** A string as ogcli reads it: double quotes, backslash and quote escaped, no raw line breaks. */
export function quoteOg(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t")}"`;
}

/** A field line for a here-document body. */
export function fieldLine(key: string, value: OgValue): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.[\]-]*$/.test(key)) throw new Error(`not an ogcli field name: ${key}`);
  return `${key}=${"s" in value ? quoteOg(value.s) : value.bare}`;
}

/** The here-document terminator; a field line is `key=...`, so it can never be this line. */
export const HEREDOC_END = "END";

/**
 * One ogcli command as an operator would type it: `ogcli VERB PATH ["ID"]`, with its fields in a
 * quoted here-document (no shell expansion inside), or alone when there are none.
 */
export function ogcliCommand(
  verb: string,
  path: string,
  id: string | undefined,
  fields: readonly OgField[],
): string {
  if (id !== undefined && !/^[A-Za-z0-9_.:@-]+$/.test(id)) throw new Error(`not an ogcli entity id: ${id}`);
  if (!/^[a-z]+$/.test(verb) || !/^[a-z][a-z0-9_/]*$/.test(path))
    throw new Error(`not an ogcli command: ${verb} ${path}`);
  const head = `ogcli ${verb} ${path}${id === undefined ? "" : ` ${quoteOg(id)}`}`;
  if (fields.length === 0) return head;
  return [`${head} << '${HEREDOC_END}'`, ...fields.map((f) => fieldLine(f.key, f.value)), HEREDOC_END].join(
    "\n",
  );
}
