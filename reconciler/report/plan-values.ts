// Values of the desired-state model as an operator reads them in a plan: scalars and short lists
// on one line, everything else as an indented YAML-like tree (never JSON, never cut), secrets as
// "(sensitive)". Values may come from a device (live state, unmanaged items): every string passes
// through terminal-safe.ts.
import { safeLine } from "./terminal-safe.ts";

/**
 * How the model marks secrets. Git never holds one: a `*_env` field names the environment variable
 * that does (key_file_env is the exception: it names a key file's path, the one secret that never
 * enters the model). Where a device holds a secret but cannot say which variable it came from,
 * drivers write SECRET_SET; what a device reports has its secrets replaced (`<redacted>`,
 * `@redacted@`); raw text refers to a secret as
 * `@secret:NAME@`. A key named like a secret (password, psk...) in what a device reports is hidden
 * too: devices are not trusted to have redacted it.
 */
const SECRET_SET = "SECRET_SET";
const SECRET_KEY =
  /(^|[-_.])(password|passphrase|passwd|secret|private[-_]?key|preshared[-_]?key|psk|community|token|localized[-_]?key|auth[-_]?key)$/i;
const PLACEHOLDER = /@secret:([A-Z_][A-Z0-9_]{0,127})@/g;
/** What drivers and error messages leave where they removed a secret (RouterOS, Opengear, errors). */
const REDACTED = /<redacted>|@redacted@|\[redacted\]/g;

/** A scalar list is shown on one line up to this many characters, else one item per line. */
const INLINE_WIDTH = 72;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isEnvReference = (key: string | undefined) => key?.endsWith("_env") === true && key !== "key_file_env";

/**
 * What a secret-bearing field shows: the variable it comes from, when it is a `*_env` field that
 * names one (never the value of any other field: that may be the secret itself).
 */
function sensitive(key: string | undefined, value: unknown): string {
  return isEnvReference(key) &&
    typeof value === "string" &&
    value !== SECRET_SET &&
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)
    ? `(sensitive: $${value})`
    : "(sensitive)";
}

/** Whether the value of `key` is shown as (sensitive). */
export function isSensitive(key: string | undefined, value: unknown): boolean {
  if (value === SECRET_SET) return true;
  if (key === undefined || (typeof value !== "string" && typeof value !== "number")) return false;
  return isEnvReference(key) || SECRET_KEY.test(key);
}

/** Text with the secrets it refers to or had removed shown as such, escaped for one line. */
function scalarText(s: string): string {
  return safeLine(
    s.replace(PLACEHOLDER, (_m, name: string) => `(sensitive: $${name})`).replace(REDACTED, "(sensitive)"),
  );
}

/** A string on one line of ours: escaped, secrets in it replaced, quoted when blank at an end. */
function scalarString(s: string): string {
  return s === "" || s.trim() !== s ? `"${scalarText(s)}"` : scalarText(s);
}

/** The value on one line, or undefined when it needs a tree (objects, long lists, multi-line text). */
export function inline(value: unknown, key?: string): string | undefined {
  if (isSensitive(key, value)) return sensitive(key, value);
  if (value === null) return "null";
  if (typeof value === "string") return value.includes("\n") ? undefined : scalarString(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((v) => (isObject(v) || Array.isArray(v) ? undefined : inline(v)));
    if (items.some((i) => i === undefined)) return undefined;
    const text = `[${items.join(", ")}]`;
    return text.length <= INLINE_WIDTH ? text : undefined;
  }
  if (isObject(value) && Object.values(value).every((v) => v === undefined)) return "{}";
  if (value === undefined) return "";
  return undefined;
}

/**
 * The value as indented lines (each starting with `indent`), YAML-like: `key: value`, lists as
 * `- item`, multi-line text as a `|` block. `omit` drops top-level fields that only repeat the
 * item's key (the `name` of `wireguard wg-b`).
 */
export function valueLines(
  value: unknown,
  indent: string,
  omit?: (key: string, v: unknown) => boolean,
): string[] {
  const out: string[] = [];
  // Text over several lines (a raw configuration block, what a device reports) is quoted line by
  // line behind "| ", so that none of its lines can pass for a line of the plan.
  const text = (v: string, ind: string) => {
    for (const line of v.replace(/\n$/, "").split("\n")) out.push(`${ind}| ${scalarText(line)}`);
  };
  const field = (key: string, v: unknown, ind: string) => {
    const name = safeLine(key);
    const one = inline(v, key);
    if (one !== undefined) out.push(`${ind}${name}: ${one}`);
    else if (typeof v === "string") {
      out.push(`${ind}${name}:`);
      text(v, `${ind}  `);
    } else {
      out.push(`${ind}${name}:`);
      block(v, `${ind}  `);
    }
  };
  const item = (v: unknown, ind: string) => {
    const one = inline(v);
    if (one !== undefined) {
      out.push(`${ind}- ${one}`);
      return;
    }
    const at = out.length;
    block(v, `${ind}  `);
    // The item's first line carries the dash: "- name: wg-b", as YAML writes lists of maps.
    const first = out[at];
    if (first !== undefined) out[at] = `${ind}- ${first.slice(ind.length + 2)}`;
  };
  const block = (v: unknown, ind: string) => {
    if (Array.isArray(v)) for (const x of v) item(x, ind);
    else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) if (x !== undefined) field(k, x, ind);
    } else if (typeof v === "string") text(v, ind);
    else out.push(`${ind}${inline(v) ?? ""}`);
  };
  if (isObject(value)) {
    for (const [k, x] of Object.entries(value)) if (x !== undefined && !omit?.(k, x)) field(k, x, indent);
  } else block(value, indent);
  return out;
}
