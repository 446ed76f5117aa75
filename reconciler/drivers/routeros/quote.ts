// RouterOS values on a command line, by RouterOS's own rules, and the check that a line is one
// command and nothing more.
//
// Sources: help.mikrotik.com, "Scripting" (Constant Escape Sequences: \" \\ \n \r \t \$ \? \_ \a
// \b \f \v and \xx, a byte in capital hex), and what real exports print: a value that is a plain
// word stays bare (name=ether1, dst-port=137-139,445, log-prefix=~~NTP), anything else is quoted
// (comment="trusted interfaces", connection-state=""), `$` and `"` are escaped inside quotes
// (source="\$rosVer ... \"doBackup\""), while `[`, `]`, `;`, `{` and `}` are literal inside quotes
// (rule="if (...) { set comment X ; reject; }", source="... [/system identity get name] ...").
// Non-ASCII characters go out as their UTF-8 bytes in \HH form, as exports print them.

/**
 * Characters a value may carry without quotes: a word RouterOS cannot read as anything else. Not
 * starting with `/` (a menu path) or `*` (an internal id): such values are quoted.
 */
const BARE = /^[A-Za-z0-9._:,+@!%-][A-Za-z0-9._:/,+@*!%-]*$/;

const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  $: "\\$",
  "?": "\\?",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

const hexByte = (b: number) => `\\${b.toString(16).toUpperCase().padStart(2, "0")}`;

/** The value as RouterOS reads it back exactly: bare when it is a plain word, quoted otherwise. */
export function quoteValue(value: string | number | boolean): string {
  const text = typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
  if (BARE.test(text)) return text;
  let out = '"';
  for (const ch of text) {
    const esc = ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else {
      const code = ch.codePointAt(0) ?? 0;
      if (code < 0x20 || code === 0x7f) out += hexByte(code);
      else if (code > 0x7e) for (const b of Buffer.from(ch, "utf8")) out += hexByte(b);
      else out += ch;
    }
  }
  return `${out}"`;
}

/** A property name as RouterOS spells them: lower case words, dashes and dots. */
export function propertyName(key: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{0,63}$/.test(key))
    throw new Error(`not a RouterOS property name: ${JSON.stringify(key)}`);
  return key;
}

/** A menu path such as "/interface wireguard peers". */
export function menuPath(path: string): string {
  if (!/^\/[a-z0-9-]{1,32}( [a-z0-9-]{1,32}){0,6}$/.test(path))
    throw new Error(`not a RouterOS menu: ${JSON.stringify(path)}`);
  return path;
}

/** `key=value` pairs, each value quoted by quoteValue, in the order given. */
export function formatProperties(props: ReadonlyArray<readonly [string, string | number | boolean]>): string {
  return props.map(([k, v]) => `${propertyName(k)}=${quoteValue(v)}`).join(" ");
}

/** `[ find where a="x" and b="y" ]` (an empty condition list selects every item: `[ find ]`). */
export function findWhere(conditions: ReadonlyArray<readonly [string, string | number | boolean]>): string {
  if (conditions.length === 0) return "[ find ]";
  return `[ find where ${conditions.map(([k, v]) => (k.startsWith("!") ? `!${propertyName(k.slice(1))}` : `${propertyName(k)}=${quoteValue(v)}`)).join(" and ")} ]`;
}

/**
 * Why a line is not exactly one RouterOS command, or undefined when it is: a line end, NUL or
 * other control character outside quotes; a `;` outside quotes (it starts a second command); an
 * unclosed quote; a `[` outside quotes that is not a `[ find ... ]` selector (any other bracket
 * runs a command of its own); a `{` outside quotes (a script block).
 */
export function oneCommandProblem(line: string, maxLength = 4096): string | undefined {
  if (line.length === 0) return "an empty line";
  if (line.length > maxLength) return `longer than ${maxLength} characters`;
  let inQuote = false;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    const code = c.charCodeAt(0);
    if (c === "\n" || c === "\r") return "a line end (it would start another command)";
    if (code === 0) return "a NUL character";
    if (code < 0x20 && c !== "\t") return `the control character 0x${code.toString(16).padStart(2, "0")}`;
    if (c === "\\") {
      if (i + 1 >= line.length) return "a trailing backslash (it would join the next command)";
      i++;
      continue;
    }
    if (c === '"') {
      inQuote = !inQuote;
      continue;
    }
    if (inQuote) continue;
    if (c === ";") return "a ; outside quotes (it would start another command)";
    if (c === "{" || c === "}") return "a script block { } outside quotes";
    if (c === "[") {
      if (depth > 0) return "a nested [ ]";
      if (!/^\[\s*find(\s|\])/.test(line.slice(i)))
        return "a [ ] outside quotes that is not a [ find ... ] selector";
      depth++;
    } else if (c === "]") {
      if (depth === 0) return "a ] without [";
      depth--;
    }
  }
  if (inQuote) return "a quoted value that is not closed";
  if (depth > 0) return "a [ without ]";
  return undefined;
}

/** The longest command line the driver itself builds (a peer with many allowed addresses). */
export const MAX_COMMAND_LENGTH = 256 * 1024;

/** Throws when the line is not exactly one command (see oneCommandProblem). */
export function assertOneCommand(line: string): string {
  const problem = oneCommandProblem(line, MAX_COMMAND_LENGTH);
  if (problem)
    throw new Error(`refusing a RouterOS command with ${problem}: ${JSON.stringify(line.slice(0, 200))}`);
  return line;
}
