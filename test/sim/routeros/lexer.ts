// The RouterOS command language, as the console reads it (help.mikrotik.com "Scripting": line
// structure, line joining, escape sequences; "Console": command syntax). Pure: text in, commands out.
//
// - A command ends at `;` or a newline outside brackets, braces and quotes.
// - `\` at the end of a line joins it with the next one; the next line's leading blanks are dropped
//   (that is how `/export` continues a line, with four spaces, even inside a quoted string).
// - `#` starts a comment only where a command starts.
// - In quoted strings: \" \\ \n \r \t \$ \? \_ (space) \a \b \f \v and \XX (two hex digits).
// - `$name` is a variable; `[ ... ]` a command substitution; `{ ... }` a block (do=, on-error=).

import { RosError } from "./errors.ts";

export interface Pos {
  line: number;
  column: number;
}

export type Part = string | { variable: string };

export type Value =
  | { kind: "string"; parts: Part[]; quoted: boolean; pos: Pos }
  | { kind: "substitution"; commands: Command[]; pos: Pos }
  | { kind: "block"; commands: Command[]; source: string; pos: Pos }
  | { kind: "expression"; tokens: ExprToken[]; pos: Pos };

/** Inside `( … )`: operands, operators and nested groups (help.mikrotik.com "Scripting": Operators). */
export type ExprToken = { op: string; pos: Pos } | { value: Value } | { group: ExprToken[]; pos: Pos };

const OPERATORS = ["&&", "||", "!=", "<=", ">=", "=", "<", ">", "!", "+", "*", "/"];

export interface Item {
  /** key of `key=value`; absent for a positional word. */
  key?: string;
  value: Value;
  pos: Pos;
}

export interface Command {
  items: Item[];
  pos: Pos;
}

const WORD_STOP = new Set([" ", "\t", "\r", "\n", ";", "[", "]", "{", "}", '"', "="]);
const VALUE_STOP = new Set([" ", "\t", "\r", "\n", ";", "[", "]", "{", "}", '"']);

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  n: "\n",
  r: "\r",
  t: "\t",
  $: "$",
  "?": "?",
  _: " ",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

class Lexer {
  i = 0;
  line = 1;
  column = 1;
  constructor(readonly src: string) {}

  pos(): Pos {
    return { line: this.line, column: this.column };
  }

  /** Skips `\` + newline and the next line's leading blanks, as often as they come. */
  private joinLines(): void {
    for (;;) {
      const s = this.src;
      if (s[this.i] !== "\\") return;
      let j = this.i + 1;
      if (s[j] === "\r") j++;
      if (s[j] !== "\n") return;
      j++;
      this.i = j;
      this.line++;
      this.column = 1;
      while (s[this.i] === " " || s[this.i] === "\t") this.advanceRaw();
    }
  }

  peek(): string | undefined {
    this.joinLines();
    return this.src[this.i];
  }

  private advanceRaw(): string {
    const c = this.src[this.i++] ?? "";
    if (c === "\n") {
      this.line++;
      this.column = 1;
    } else this.column++;
    return c;
  }

  next(): string {
    this.joinLines();
    return this.advanceRaw();
  }

  skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || (c === "\r" && this.src[this.i + 1] === "\n")) this.next();
      else return;
    }
  }

  commands(end?: "]" | "}"): Command[] {
    const out: Command[] = [];
    let current: Command | undefined;
    const finish = () => {
      if (current && current.items.length > 0) out.push(current);
      current = undefined;
    };
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === undefined) {
        if (end) throw new RosError(`syntax error`, this.pos());
        finish();
        return out;
      }
      if (c === end) {
        this.next();
        finish();
        return out;
      }
      if (c === "]" || c === "}") throw new RosError("syntax error", this.pos());
      if (c === "\n" || c === ";" || c === "\r") {
        this.next();
        finish();
        continue;
      }
      if (!current && c === "#") {
        while (this.src[this.i] !== undefined && this.src[this.i] !== "\n") this.advanceRaw();
        continue;
      }
      if (!current) current = { items: [], pos: this.pos() };
      current.items.push(this.item());
    }
  }

  item(): Item {
    const pos = this.pos();
    const c = this.peek();
    if (c === "[" || c === "{" || c === '"' || c === "(") return { value: this.value(), pos };
    if (c === "=") throw new RosError("syntax error", pos);
    let word = "";
    while (this.peek() !== undefined && !WORD_STOP.has(this.peek() as string)) word += this.next();
    if (this.peek() === "=") {
      this.next();
      return { key: word, value: this.value(), pos };
    }
    return { value: this.wordValue(word, pos, false), pos };
  }

  value(): Value {
    const pos = this.pos();
    const c = this.peek();
    if (c === '"') return this.quoted();
    if (c === "[") {
      this.next();
      return { kind: "substitution", commands: this.commands("]"), pos };
    }
    if (c === "(") {
      this.next();
      return { kind: "expression", tokens: this.expression(), pos };
    }
    if (c === "{") {
      this.next();
      const start = this.i;
      const commands = this.commands("}");
      return { kind: "block", commands, source: this.src.slice(start, this.i - 1), pos };
    }
    let word = "";
    while (this.peek() !== undefined && !VALUE_STOP.has(this.peek() as string)) word += this.next();
    return this.wordValue(word, pos, false);
  }

  /** The tokens of `( … )` up to its closing parenthesis (already past the opening one). */
  expression(): ExprToken[] {
    const out: ExprToken[] = [];
    for (;;) {
      this.skipBlanks();
      while (this.peek() === "\n" || this.peek() === "\r") this.next();
      const pos = this.pos();
      const c = this.peek();
      if (c === undefined) throw new RosError("syntax error", pos);
      if (c === ")") {
        this.next();
        return out;
      }
      if (c === "(") {
        this.next();
        out.push({ group: this.expression(), pos });
        continue;
      }
      if (c === '"' || c === "[") {
        out.push({ value: this.value() });
        continue;
      }
      const two = c + (this.src[this.i + 1] ?? "");
      const op = OPERATORS.find((o) => o === two) ?? OPERATORS.find((o) => o === c);
      if (op) {
        for (let k = 0; k < op.length; k++) this.next();
        out.push({ op, pos });
        continue;
      }
      let word = "";
      while (this.peek() !== undefined && /[A-Za-z0-9_:.$-]/.test(this.peek() as string)) word += this.next();
      if (!word) throw new RosError("syntax error", pos);
      if (word === "." || word === "-" || word === "and" || word === "or" || word === "in")
        out.push({ op: word, pos });
      else out.push({ value: this.wordValue(word, pos, false) });
    }
  }

  private wordValue(word: string, pos: Pos, quoted: boolean): Value {
    if (word.startsWith("$") && word.length > 1) {
      return { kind: "string", parts: [{ variable: word.slice(1) }], quoted, pos };
    }
    return { kind: "string", parts: [word], quoted, pos };
  }

  quoted(): Value {
    const pos = this.pos();
    this.next(); // the opening quote
    const parts: Part[] = [];
    let text = "";
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RosError("syntax error", pos);
      this.next();
      if (c === '"') break;
      if (c === "\\") {
        const e = this.src[this.i];
        if (e === undefined) throw new RosError("syntax error", pos);
        const hex = this.src.slice(this.i, this.i + 2);
        if (/^[0-9A-F]{2}$/.test(hex)) {
          this.advanceRaw();
          this.advanceRaw();
          text += String.fromCharCode(Number.parseInt(hex, 16));
        } else if (e in SIMPLE_ESCAPES) {
          this.advanceRaw();
          text += SIMPLE_ESCAPES[e];
        } else {
          this.advanceRaw();
          text += e;
        }
        continue;
      }
      if (c === "$") {
        let name = "";
        while (/[A-Za-z0-9_-]/.test(this.src[this.i] ?? "")) name += this.advanceRaw();
        if (name) {
          if (text) parts.push(text);
          text = "";
          parts.push({ variable: name });
          continue;
        }
      }
      text += c;
    }
    if (text || parts.length === 0) parts.push(text);
    return { kind: "string", parts, quoted: true, pos };
  }
}

/** Parses a script (one line, several lines, an imported file) into commands. */
export function parseScript(src: string): Command[] {
  return new Lexer(src).commands();
}

/** The literal text of a value without variables (for keys and plain words). */
export function literal(v: Value): string | undefined {
  if (v.kind !== "string") return undefined;
  if (v.parts.some((p) => typeof p !== "string")) return undefined;
  return (v.parts as string[]).join("");
}
