// ogcli's value syntax, both ways. Output: one `key=value` line per leaf, nested keys dotted,
// array elements indexed (`groups[0]="admin"`), strings double-quoted, booleans and numbers bare,
// an empty array `[]` and an empty object `{}` (Opengear's examples: `enabled=true`,
// `physifs=[]`, `groups[0]="admin"`, `ipv4_static_settings.address="..."`). Input: the same
// lines, as arguments (`ogcli update system/hostname hostname=\"x\"`) or on stdin (the
// `<< 'END'` here-documents of the user guides and of `ogcli export`).

export type Value = string | number | boolean | Value[] | { [k: string]: Value };
export type Obj = { [k: string]: Value };

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A string as ogcli prints it: double quotes, `"` and `\` escaped, newlines as \n. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function leaf(v: Value): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if (Array.isArray(v)) return "[]";
  return "{}";
}

/** key=value lines of a value, keys sorted (the order of the guide's examples). */
export function flatten(v: Value, prefix = ""): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return prefix ? [`${prefix}=[]`] : [];
    return v.flatMap((e, i) => flatten(e, `${prefix}[${i}]`));
  }
  if (isObj(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return prefix ? [`${prefix}={}`] : [];
    return keys.flatMap((k) => flatten(v[k] as Value, prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix}=${leaf(v)}`];
}

export class SyntaxError_ extends Error {}

/** A literal: "string", true/false, an integer, [] or {}. */
export function parseLiteral(raw: string): Value {
  const s = raw.trim();
  if (s.startsWith('"')) {
    if (s.length < 2 || !s.endsWith('"')) throw new SyntaxError_(`unterminated string ${s}`);
    let out = "";
    for (let i = 1; i < s.length - 1; i++) {
      const c = s[i] as string;
      if (c === "\\" && i + 1 < s.length - 1) {
        const n = s[++i] as string;
        out += n === "n" ? "\n" : n;
      } else if (c === '"') throw new SyntaxError_(`unescaped quote in ${s}`);
      else out += c;
    }
    return out;
  }
  if (s === "true") return true;
  if (s === "false") return false;
  if (s === "[]") return [];
  if (s === "{}") return {};
  if (/^-?\d+$/.test(s)) return Number(s);
  throw new SyntaxError_(`invalid value ${s}`);
}

type Step = string | number;

/** `a.b[0].c` → ["a", "b", 0, "c"]. */
export function parseKey(key: string): Step[] {
  const steps: Step[] = [];
  for (const part of key.split(".")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new SyntaxError_(`invalid key ${key}`);
    steps.push(m[1] as string);
    for (const idx of (m[2] as string).matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  return steps;
}

function setPath(root: Obj, steps: Step[], v: Value): void {
  let cur: Value = root;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    const last = i === steps.length - 1;
    const nextIsIndex = typeof steps[i + 1] === "number";
    if (typeof step === "number") {
      if (!Array.isArray(cur)) throw new SyntaxError_("index on a non-array");
      if (step > cur.length) throw new SyntaxError_(`index ${step} skips elements`);
      if (last) cur[step] = v;
      else {
        if (cur[step] === undefined) cur[step] = nextIsIndex ? [] : {};
        cur = cur[step] as Value;
      }
    } else {
      if (!isObj(cur)) throw new SyntaxError_("field of a non-object");
      if (last) cur[step] = v;
      else {
        if (cur[step] === undefined) cur[step] = nextIsIndex ? [] : {};
        cur = cur[step] as Value;
      }
    }
  }
}

/** One assignment line `key=value`; leading blanks ignored. */
export function splitAssignment(line: string): [string, string] {
  const t = line.trim();
  const eq = t.indexOf("=");
  if (eq <= 0) throw new SyntaxError_(`expected key=value: ${t}`);
  return [t.slice(0, eq), t.slice(eq + 1)];
}

/** The object described by assignment lines (blank lines and # comments skipped). */
export function parseAssignments(lines: readonly string[]): Obj {
  const root: Obj = {};
  for (const line of lines) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const [k, v] = splitAssignment(t);
    setPath(root, parseKey(k), parseLiteral(v));
  }
  return root;
}
