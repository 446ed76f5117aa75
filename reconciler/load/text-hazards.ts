// Characters and strings a desired-state file must not carry, whatever field they are in:
// - control characters (C0 other than tab and newline, DEL, C1): they rewrite terminals and
//   logs, and a device's parser reads them differently from the operator;
// - bidirectional overrides ("Trojan Source"): the text a reviewer sees in the pull request is
//   not the text the device gets;
// - the secret placeholder "@secret:": the Debian driver substitutes secrets where it finds it,
//   so a file that writes it could pull any secret into a description or raw frr.conf.
// The raw text is scanned (comments included), and so are the values, because a double-quoted
// YAML escape ("\u202e", "\x85", "\x40secret:") makes a character that is not in the text.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, Scalar } from "yaml";
import { type Diagnostic, formatPath, type PathSegment } from "../model/diagnostic.ts";

/** In the text, CRLF line ends are fine (YAML reads them as newlines); a lone CR is not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
/** In a value every CR came from an escape: a device would read it as a line end of its own. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const FORBIDDEN_IN_VALUE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const SECRET_PLACEHOLDER = /@secret:/i;

/** After this many findings in one file, one summary: a binary file must not bury the rest. */
const MAX_PER_FILE = 10;

const EXPECTED_TEXT =
  "printable text: tab and newline are the only control characters, and no bidirectional overrides";
const EXPECTED_SECRET =
  "no placeholder syntax in the files: a secret is named by an *_env field (such as password_env: OSPF_KEY) and the reconciler substitutes it where it belongs";

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const u = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (ch === "\r") return "a carriage return (CR) that does not end a line";
  if (code === 0) return `a NUL character ${u} (is the file UTF-16? save it as UTF-8)`;
  if (code >= 0x202a)
    return `a bidirectional text control ${u}: the text would display differently from what it is`;
  if (code >= 0x80) return `a C1 control character ${u}`;
  return `a control character ${u}`;
}

/** Control characters and bidi overrides written in the file itself, with line and column. */
export function scanText(file: string, text: string, lines: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  let count = 0;
  for (const m of text.matchAll(FORBIDDEN)) {
    count++;
    if (count > MAX_PER_FILE) continue;
    const pos = lines.linePos(m.index);
    out.push({
      severity: "error",
      file,
      line: pos.line,
      column: pos.col,
      path: "",
      message: `${describe(m[0])} in the text`,
      expected: EXPECTED_TEXT,
    });
  }
  if (count > MAX_PER_FILE) {
    out.push({
      severity: "error",
      file,
      line: out[0]?.line ?? 1,
      column: out[0]?.column ?? 1,
      path: "",
      message: `${count - MAX_PER_FILE} more control characters or bidirectional overrides not listed`,
      expected: EXPECTED_TEXT,
    });
  }
  return out;
}

/**
 * Every string (keys and values) of the document: the secret placeholder anywhere, and forbidden
 * characters that only an escape sequence produced (the ones written as such are scanText's).
 */
export function scanValues(file: string, text: string, doc: Document, lines: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  while (stack.length > 0 && out.length < MAX_PER_FILE) {
    const { node, path } = stack.pop() as { node: unknown; path: PathSegment[] };
    if (isMap(node)) {
      for (const pair of node.items) {
        if (pair.key !== null && !isScalar(pair.key)) {
          out.push(complexKey(file, path, pair.key as Node, lines));
          continue;
        }
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        stack.push({ node: pair.key, path: [...path, key] }, { node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        stack.push({ node: item, path: [...path, i] });
      });
    } else if (isScalar(node) && typeof node.value === "string") {
      const problem = scalarProblem(node as Scalar<string>, text, lines);
      if (problem) out.push({ severity: "error", file, path: formatPath(path), ...problem });
    }
  }
  return out;
}

/** A list, map or alias as a key: JavaScript objects would silently turn it into a string. */
function complexKey(file: string, path: PathSegment[], key: Node, lines: LineCounter): Diagnostic {
  const pos = lines.linePos(key.range?.[0] ?? 0);
  return {
    severity: "error",
    file,
    line: pos.line,
    column: pos.col,
    path: formatPath(path),
    message: "a key that is a list, a map or an alias",
    expected: "a plain text key",
  };
}

function scalarProblem(node: Scalar<string>, text: string, lines: LineCounter) {
  const [start = 0, end = start] = (node as Node).range ?? [];
  const written = text.slice(start, end);
  const pos = (offset: number) => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const secret = SECRET_PLACEHOLDER.exec(node.value);
  if (secret) {
    const literal = SECRET_PLACEHOLDER.exec(written);
    return {
      ...pos(start + (literal?.index ?? 0)),
      message: `${JSON.stringify(secret[0])} is the reconciler's secret placeholder syntax and cannot be written in a file`,
      expected: EXPECTED_SECRET,
    };
  }
  if (node.type !== Scalar.QUOTE_DOUBLE) return undefined;
  for (const m of node.value.matchAll(FORBIDDEN_IN_VALUE)) {
    if (written.includes(m[0])) continue;
    return {
      ...pos(start),
      message: `${describe(m[0])} written as an escape sequence`,
      expected: EXPECTED_TEXT,
    };
  }
  return undefined;
}
