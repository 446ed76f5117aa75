// A parser of RouterOS `/export` output: terse (the full menu path on every line) and compact
// (a menu line, then its commands), from RouterOS 6.x and 7.x. Pure and bounded: whatever the
// text, it returns items and diagnostics, never throws.
//
// The traps it handles (each reproduced by a fixture of test/unit/routeros/):
// - CRLF line ends (an export written to a file), or CR alone;
// - the continuation `\` + newline + 4 spaces, which can fall anywhere: between two properties,
//   between `key=` and its value, inside a quoted string (where the 4 spaces are not content);
// - the volatile header (`# <date> by RouterOS 7.x` with `mon/dd/yyyy hh:mm:ss` up to 7.9 and
//   `yyyy-mm-dd hh:mm:ss` from 7.10, `# software id =`, `# model =`, `# serial number =`), or none;
// - `#` starts a comment only at the start of a line, also inside a section (`#` elsewhere is
//   content, e.g. log-prefix=#DROP);
// - the dot shorthand: `.as=` after `remote.address=` is `remote.as=` (the previous dotted prefix);
// - `add`, `set [ find default-name=ether1 ]`, `set [ find ]`, `set [ find default=yes ]`,
//   `set 0` (a position), `set *1A` (an internal id), `set ftp` (an item's name), `set` alone;
// - quoted values with RouterOS's escapes `\"` `\\` `\$` `\?` `\_` `\a` `\b` `\f` `\n` `\r` `\t`
//   `\v` and `\HH` (a byte in hex; bytes are decoded as UTF-8 where they form it).

export type Selector =
  /** `[ find ]` (every item), `[ find default-name=ether1 ]`, `[ find where name="x" ]`. */
  | { kind: "find"; where: Record<string, string> }
  /** `set 0`: the item's position in print order. */
  | { kind: "index"; index: number }
  /** `set *1A`: RouterOS's internal id, stable for the item's life. */
  | { kind: "id"; id: string }
  /** `set ftp`: an item named by its name (services, templates such as `default`). */
  | { kind: "name"; name: string };

export interface ExportItem {
  /** The menu path, e.g. "/interface wireguard peers". */
  path: string;
  /** add, set, remove, ... (the word after the path). */
  command: string;
  selector?: Selector;
  /** key=value pairs in order of appearance, dot shorthand expanded, values unescaped. */
  properties: Record<string, string>;
  /** Bare words after the command (`no-summaries`, `passive`, `fib`, `blackhole`). */
  flags: string[];
  /** The 1-based physical line the item starts on. */
  line: number;
}

export interface ExportHeader {
  /** "7.16", "6.49.7" */
  version?: string;
  /** As printed: "2025-07-05 15:57:30" or "oct/09/2023 10:41:26". */
  date?: string;
  softwareId?: string;
  model?: string;
  serialNumber?: string;
}

export interface Diagnostic {
  line: number;
  /**
   * "warning": something skipped that a human may want to know about (an unknown command);
   * "error": text that could not be read as an export line (unterminated quote, a command before
   * any menu, a limit reached). Neither stops the parser.
   */
  severity: "warning" | "error";
  message: string;
}

export interface ParsedExport {
  header: ExportHeader;
  items: ExportItem[];
  diagnostics: Diagnostic[];
}

export const EXPORT_LIMITS = {
  /** Characters of input read; the rest is refused with a diagnostic. */
  maxInput: 32 * 1024 * 1024,
  /** Characters of one logical line (continuations joined). */
  maxLine: 4 * 1024 * 1024,
  maxItems: 500_000,
  maxDiagnostics: 200,
  maxPropertiesPerItem: 4096,
} as const;

/** The commands an export line may carry after its path. */
const COMMANDS = new Set(["add", "set", "remove", "unset", "enable", "disable", "move", "reset", "edit"]);

interface LogicalLine {
  text: string;
  line: number;
  /** The logical line ended inside a quoted string. */
  unterminated: boolean;
}

const isNewline = (c: string | undefined) => c === "\n" || c === "\r";

/** Skips one line end (CRLF, LF or CR) at i; returns the index after it. */
function skipNewline(text: string, i: number): number {
  if (text[i] === "\r" && text[i + 1] === "\n") return i + 2;
  return i + 1;
}

/** Skips the up-to-4-space indentation of a continuation line. */
function skipIndent(text: string, i: number): number {
  let j = i;
  while (j < text.length && j - i < 4 && text[j] === " ") j++;
  return j;
}

/**
 * Joins continuations and drops comment lines, keeping quotes and escapes intact (the escape
 * `\` + newline is a continuation inside quotes too). Comments are returned separately.
 */
function logicalLines(
  text: string,
  diagnostics: Diagnostic[],
  comments: { line: number; text: string }[],
): LogicalLine[] {
  const out: LogicalLine[] = [];
  let i = 0;
  let physical = 1;
  while (i < text.length) {
    const start = physical;
    // A comment only where a logical line starts (after optional indentation).
    let j = i;
    while (text[j] === " " || text[j] === "\t") j++;
    if (text[j] === "#") {
      let k = j;
      while (k < text.length && !isNewline(text[k])) k++;
      if (comments.length < 64) comments.push({ line: physical, text: text.slice(j, Math.min(k, j + 512)) });
      i = k < text.length ? skipNewline(text, k) : k;
      physical++;
      continue;
    }
    let buf = "";
    let inQuote = false;
    let tooLong = false;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === "\\") {
        const next = text[i + 1];
        if (isNewline(next)) {
          i = skipIndent(text, skipNewline(text, i + 1));
          physical++;
          continue;
        }
        if (next === undefined) {
          i++;
          continue;
        }
        if (buf.length < EXPORT_LIMITS.maxLine) buf += c + next;
        else tooLong = true;
        i += 2;
        continue;
      }
      if (isNewline(c)) {
        if (inQuote) {
          // A raw newline inside quotes is not something an export prints: the string ends here.
          break;
        }
        break;
      }
      if (c === '"') inQuote = !inQuote;
      if (buf.length < EXPORT_LIMITS.maxLine) buf += c;
      else tooLong = true;
      i++;
    }
    if (i < text.length) {
      i = skipNewline(text, i);
      physical++;
    }
    if (tooLong)
      pushDiag(diagnostics, start, "error", `line longer than ${EXPORT_LIMITS.maxLine} characters: cut`);
    if (buf.trim() !== "") out.push({ text: buf, line: start, unterminated: inQuote });
  }
  return out;
}

function pushDiag(
  diagnostics: Diagnostic[],
  line: number,
  severity: Diagnostic["severity"],
  message: string,
) {
  if (diagnostics.length < EXPORT_LIMITS.maxDiagnostics) diagnostics.push({ line, severity, message });
  else if (diagnostics.length === EXPORT_LIMITS.maxDiagnostics)
    diagnostics.push({ line, severity: "warning", message: "more diagnostics left out" });
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  $: "$",
  "?": "?",
  _: " ",
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** RouterOS writes a byte as `\HH` with capital hex digits (so `\a`, `\b`, `\f` stay escapes). */
const HEX = /^[0-9A-F]{2}$/;

/** Decodes the escapes of a quoted string's inside (without its quotes). */
export function unescapeQuoted(inner: string): string {
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString("utf8");
      bytes.length = 0;
    }
  };
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c !== "\\") {
      flush();
      out += c;
      continue;
    }
    const pair = inner.slice(i + 1, i + 3);
    if (HEX.test(pair)) {
      bytes.push(Number.parseInt(pair, 16));
      i += 2;
      continue;
    }
    flush();
    const next = inner[i + 1];
    if (next === undefined) {
      out += "\\";
      continue;
    }
    out += SIMPLE_ESCAPES[next] ?? next;
    i++;
  }
  flush();
  return out;
}

interface Token {
  /** The decoded text. */
  value: string;
  /** For key=value tokens: the key, and whether the token had an `=`. */
  key?: string;
  hasEq: boolean;
  /** Any part was quoted (a quoted `[` is a value, not a bracket). */
  quoted: boolean;
}

/** Splits a logical line into words; quotes may start anywhere in a word (key="a b"). */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (i >= text.length) break;
    let _raw = "";
    let value = "";
    let key: string | undefined;
    let quoted = false;
    if (text[i] === "[" || text[i] === "]") {
      tokens.push({ value: text[i] as string, hasEq: false, quoted: false });
      i++;
      continue;
    }
    while (i < text.length && text[i] !== " " && text[i] !== "\t") {
      const c = text[i] as string;
      // Outside quotes, brackets are words of their own: `[find name=x]` as `[ find name=x ]`.
      if (c === "[" || c === "]") break;
      if (c === '"') {
        let j = i + 1;
        let inner = "";
        while (j < text.length && text[j] !== '"') {
          if (text[j] === "\\" && j + 1 < text.length) {
            inner += text.slice(j, j + 2);
            j += 2;
          } else {
            inner += text[j];
            j++;
          }
        }
        value += unescapeQuoted(inner);
        _raw += text.slice(i, Math.min(j + 1, text.length));
        quoted = true;
        i = j + 1;
        continue;
      }
      if (c === "\\" && i + 1 < text.length) {
        // An escape outside quotes (rare): the escaped character itself.
        value += unescapeQuoted(text.slice(i, i + 2));
        _raw += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === "=" && key === undefined && !quoted) {
        key = value;
        value = "";
        _raw += c;
        i++;
        continue;
      }
      value += c;
      _raw += c;
      i++;
    }
    tokens.push(key !== undefined ? { value, key, hasEq: true, quoted } : { value, hasEq: false, quoted });
  }
  return tokens;
}

const HEADER_DATE =
  /^#\s+((?:[a-z]{3}\/\d{2}\/\d{4}|\d{4}-\d{2}-\d{2})\s+\d{2}:\d{2}:\d{2})\s+by\s+RouterOS\s+(\S+)/i;

function readHeader(comments: { line: number; text: string }[], firstItemLine: number): ExportHeader {
  const header: ExportHeader = {};
  for (const c of comments) {
    if (c.line >= firstItemLine) break;
    const date = HEADER_DATE.exec(c.text);
    if (date) {
      header.date = date[1] as string;
      header.version = date[2] as string;
      continue;
    }
    const kv = /^#\s*(software id|model|serial number)\s*=\s*(.*?)\s*$/i.exec(c.text);
    if (!kv) continue;
    const value = kv[2] as string;
    const name = (kv[1] as string).toLowerCase();
    if (value === "") continue;
    if (name === "software id") header.softwareId = value;
    else if (name === "model") header.model = value;
    else header.serialNumber = value;
  }
  return header;
}

/** Reads `[ find ... ]` starting at tokens[i] === "["; returns the selector and the next index. */
function readFind(tokens: Token[], i: number): { selector: Selector; next: number } | undefined {
  let j = i + 1;
  if (tokens[j]?.value !== "find" || tokens[j]?.hasEq) return undefined;
  j++;
  const where: Record<string, string> = {};
  while (j < tokens.length) {
    const t = tokens[j] as Token;
    if (!t.quoted && !t.hasEq && t.value === "]") return { selector: { kind: "find", where }, next: j + 1 };
    if (t.hasEq && t.key !== undefined) where[t.key] = t.value;
    else if (t.value !== "where" && t.value !== "and") where[t.value] = "yes";
    j++;
  }
  return undefined;
}

function applyProperty(
  item: ExportItem,
  key: string,
  value: string,
  state: { prefix: string | undefined },
  line: number,
  diagnostics: Diagnostic[],
): void {
  let full = key;
  if (key.startsWith(".")) {
    if (state.prefix === undefined) {
      pushDiag(diagnostics, line, "warning", `${key}= without a preceding dotted property: kept as written`);
    } else full = `${state.prefix}${key}`;
  } else {
    const dot = key.indexOf(".");
    if (dot > 0) state.prefix = key.slice(0, dot);
  }
  if (Object.keys(item.properties).length >= EXPORT_LIMITS.maxPropertiesPerItem) {
    pushDiag(diagnostics, line, "error", "too many properties on one line: the rest ignored");
    return;
  }
  // Own properties only: a key such as "__proto__" must not reach the prototype.
  Object.defineProperty(item.properties, full, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Parses one export; see the module comment. Never throws. */
export function parseExport(input: string): ParsedExport {
  const diagnostics: Diagnostic[] = [];
  let text = typeof input === "string" ? input : "";
  if (text.length > EXPORT_LIMITS.maxInput) {
    pushDiag(
      diagnostics,
      1,
      "error",
      `export longer than ${EXPORT_LIMITS.maxInput} characters: the rest ignored`,
    );
    text = text.slice(0, EXPORT_LIMITS.maxInput);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const comments: { line: number; text: string }[] = [];
  const lines = logicalLines(text, diagnostics, comments);
  const items: ExportItem[] = [];
  let menu: string | undefined;
  for (const l of lines) {
    if (items.length >= EXPORT_LIMITS.maxItems) {
      pushDiag(diagnostics, l.line, "error", `more than ${EXPORT_LIMITS.maxItems} items: the rest ignored`);
      break;
    }
    if (l.unterminated) {
      pushDiag(diagnostics, l.line, "error", "a quoted value is not closed: line ignored");
      continue;
    }
    const tokens = tokenize(l.text);
    let i = 0;
    let path = menu;
    const first = tokens[0];
    if (first && !first.quoted && !first.hasEq && first.value.startsWith("/")) {
      const words = [first.value];
      i = 1;
      while (i < tokens.length) {
        const t = tokens[i] as Token;
        if (t.hasEq || t.quoted || COMMANDS.has(t.value) || t.value === "[") break;
        words.push(t.value);
        i++;
      }
      path = words
        .join(" ")
        .replace(/^\/+/, "/")
        .replace(/\/(?=\S)/g, (m, off: number) => (off === 0 ? m : " "))
        .replace(/\s+/g, " ")
        .trim();
      if (path === "/") path = undefined;
      if (i >= tokens.length) {
        menu = path;
        continue;
      }
    }
    const cmd = tokens[i];
    if (!cmd || cmd.hasEq || cmd.quoted) {
      pushDiag(diagnostics, l.line, "error", "not a command line: ignored");
      continue;
    }
    if (path === undefined) {
      pushDiag(diagnostics, l.line, "error", `${cmd.value.slice(0, 40)} before any menu: ignored`);
      continue;
    }
    if (!COMMANDS.has(cmd.value)) {
      pushDiag(
        diagnostics,
        l.line,
        "warning",
        `unknown command ${JSON.stringify(cmd.value.slice(0, 40))} in ${path}: ignored`,
      );
      continue;
    }
    const item: ExportItem = { path, command: cmd.value, properties: {}, flags: [], line: l.line };
    i++;
    const next = tokens[i];
    if (next && !next.quoted && !next.hasEq && cmd.value !== "add") {
      if (next.value === "[") {
        const found = readFind(tokens, i);
        if (found) {
          item.selector = found.selector;
          i = found.next;
        } else {
          pushDiag(diagnostics, l.line, "error", "a [ ... ] selector that is not [ find ... ]: line ignored");
          continue;
        }
      } else if (/^\d{1,9}$/.test(next.value)) {
        item.selector = { kind: "index", index: Number(next.value) };
        i++;
      } else if (/^\*[0-9A-Fa-f]{1,16}$/.test(next.value)) {
        item.selector = { kind: "id", id: next.value.toUpperCase() };
        i++;
      } else {
        item.selector = { kind: "name", name: next.value };
        i++;
      }
    }
    const state = { prefix: undefined as string | undefined };
    for (; i < tokens.length; i++) {
      const t = tokens[i] as Token;
      if (t.hasEq && t.key !== undefined && t.key !== "")
        applyProperty(item, t.key, t.value, state, l.line, diagnostics);
      else if (t.hasEq) pushDiag(diagnostics, l.line, "warning", "a property without a name: ignored");
      else if (item.flags.length < 256) item.flags.push(t.value);
    }
    items.push(item);
  }
  const header = readHeader(comments, items[0]?.line ?? Number.POSITIVE_INFINITY);
  return { header, items, diagnostics };
}
