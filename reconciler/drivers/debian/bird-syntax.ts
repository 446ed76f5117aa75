// A tolerant reader of bird's configuration syntax: tokens (words, "strings", 'symbols',
// punctuation; '#' and C comments skipped) grouped into statements, each either ended by ';' or
// carrying a { } block of nested statements. Every statement keeps its source range, so that a
// statement the parser does not understand can be reported in the operator's own words.

export interface Token {
  kind: "word" | "string" | "symbol" | "punct";
  text: string;
}

export interface Statement {
  head: Token[];
  body?: Statement[];
  /** Offsets in the source text: [start, end). */
  start: number;
  end: number;
}

const PUNCT = new Set([
  "{",
  "}",
  ";",
  "[",
  "]",
  "(",
  ")",
  ",",
  "=",
  "~",
  "!",
  "<",
  ">",
  "&",
  "|",
  "%",
  "+",
  "-",
  "*",
  "/",
]);
const WORD = /[A-Za-z0-9_.:/-]/;

interface Lexed extends Token {
  start: number;
  end: number;
}

function lex(text: string): Lexed[] {
  const out: Lexed[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      const stop = close < 0 || text.slice(i + 1, close).includes("\n") ? text.indexOf("\n", i) : close;
      const end = stop < 0 ? text.length : stop + (stop === close ? 1 : 0);
      out.push({
        kind: c === '"' ? "string" : "symbol",
        text: text.slice(i + 1, stop < 0 ? text.length : stop),
        start: i,
        end,
      });
      i = end;
    } else if (WORD.test(c) && !(c === "/" && text[i + 1] === "*")) {
      // Words hold names, numbers, addresses and prefixes (192.0.2.0/24, 2001:db8::/32).
      let j = i;
      while (j < text.length && WORD.test(text[j] as string) && !(text[j] === "/" && text[j + 1] === "*"))
        j++;
      out.push({ kind: "word", text: text.slice(i, j), start: i, end: j });
      i = j;
    } else {
      out.push({ kind: PUNCT.has(c) ? "punct" : "word", text: c, start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

/** Parses statements until '}' (returned to the caller) or the end of the tokens. */
function statements(tokens: Lexed[], pos: { i: number }, text: string, nested: boolean): Statement[] {
  const out: Statement[] = [];
  while (pos.i < tokens.length) {
    const first = tokens[pos.i] as Lexed;
    if (first.text === "}" && first.kind === "punct") {
      if (nested) return out;
      // A stray '}' at top level: keep it as a statement of its own so it is reported.
      out.push({ head: [first], start: first.start, end: first.end });
      pos.i++;
      continue;
    }
    if (first.text === ";" && first.kind === "punct") {
      pos.i++;
      continue;
    }
    const head: Lexed[] = [];
    let stmt: Statement | undefined;
    while (pos.i < tokens.length) {
      const t = tokens[pos.i] as Lexed;
      if (t.kind === "punct" && t.text === ";") {
        pos.i++;
        stmt = { head, start: first.start, end: t.end };
        break;
      }
      if (t.kind === "punct" && t.text === "{") {
        pos.i++;
        const body = statements(tokens, pos, text, true);
        const close = tokens[pos.i];
        let end = close ? close.end : text.length;
        if (close) pos.i++;
        const semi = tokens[pos.i];
        if (semi && semi.kind === "punct" && semi.text === ";") {
          end = semi.end;
          pos.i++;
        }
        stmt = { head, body, start: first.start, end };
        break;
      }
      if (t.kind === "punct" && t.text === "}") break;
      head.push(t);
      pos.i++;
    }
    const last = head[head.length - 1];
    out.push(stmt ?? { head, start: first.start, end: last ? last.end : first.end });
  }
  return out;
}

export function parseBirdSyntax(text: string): Statement[] {
  return statements(lex(text), { i: 0 }, text, false);
}

/** The head's tokens as plain words, for matching ("protocol", "ospf", "v3", "mesh4"). */
export function words(s: Statement): string[] {
  return s.head.map((t) => t.text);
}

/** A canonical one-line spelling of a statement, whitespace and comments aside. */
export function canonicalStatement(s: Statement): string {
  const head = s.head
    .map((t) => (t.kind === "string" ? `"${t.text}"` : t.kind === "symbol" ? `'${t.text}'` : t.text))
    .join(" ");
  if (!s.body) return `${head};`;
  return `${head} { ${s.body.map(canonicalStatement).join(" ")} }`;
}

/** The statement as written, on one line (for reports). */
export function sourceOf(text: string, s: Statement): string {
  return text.slice(s.start, s.end).replace(/\s+/g, " ").trim();
}
