// How /export lays a command out on lines, measured on the reference exports
// (reference routeros exports 08-v6.49.7 and 03-v7.16: 1,100+ continuation lines):
//
// - a continued line is at most 79 characters, its last one being the `\`;
// - a `key=value` goes on the line when it ends by column 77 (room for the space and the `\`);
// - otherwise, when `key=` ends by column 77, the line breaks between `key=` and the value
//   (`name=\` / `    bridge`); else the line breaks before the token (`… \` / `    key=value`);
// - continuation lines start with four spaces;
// - a value longer than a whole line is quoted and cut anywhere (`ht-supported-mcs="mcs-0,mc\` /
//   `    s-1,…`), filling lines to column 78, starting right after `key=`;
// - a quoted value's `\n` escapes start a new continuation line (01-v7.10 terse: `source="…\r\`
//   / `    \n…`), in terse exports too, which otherwise never wrap.

export interface Token {
  /** absent for a bare word (a flag such as `passive`). */
  key?: string;
  /** as written: bare or quoted with escapes. */
  value: string;
}

const LAST_TOKEN_COLUMN = 77;
const FILL_COLUMN = 78;
const INDENT = "    ";

/** The escape-aware characters of a written value: `\n`, `\"`, `\AB` stay whole. */
function units(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "\\" && i + 1 < value.length) {
      const hex = /^[0-9A-F]{2}$/.test(value.slice(i + 1, i + 3));
      const n = hex ? 3 : 2;
      out.push(value.slice(i, i + n));
      i += n - 1;
    } else out.push(value[i] as string);
  }
  return out;
}

export function renderCommand(head: string, tokens: Token[], wrap: boolean): string[] {
  const lines: string[] = [];
  let cur = head;
  const fresh = () => cur === INDENT;
  const breakAtSpace = () => {
    lines.push(`${cur} \\`);
    cur = INDENT;
  };
  const breakHere = () => {
    lines.push(`${cur}\\`);
    cur = INDENT;
  };
  /** Writes a value unit by unit, cutting at the fill column and before `\n` escapes. */
  const stream = (value: string) => {
    let first = true;
    for (const u of units(value)) {
      if (u === "\\n" && !first) breakHere();
      else if (wrap && cur.length + u.length > FILL_COLUMN) breakHere();
      cur += u;
      first = false;
    }
  };
  for (const t of tokens) {
    const sep = fresh() ? "" : " ";
    const text = t.key === undefined ? t.value : `${t.key}=${t.value}`;
    const multiline = t.value.startsWith('"') && /(^|[^\\])(\\\\)*\\n/.test(t.value);
    if (!wrap) {
      if (multiline && t.key !== undefined) {
        cur += `${sep}${t.key}=`;
        stream(t.value);
      } else cur += sep + text;
      continue;
    }
    if (!multiline && cur.length + sep.length + text.length <= LAST_TOKEN_COLUMN) {
      cur += sep + text;
      continue;
    }
    if (t.key === undefined) {
      if (!fresh()) breakAtSpace();
      cur += text;
      continue;
    }
    const keyPart = `${t.key}=`;
    if (cur.length + sep.length + keyPart.length > LAST_TOKEN_COLUMN) {
      breakAtSpace();
      if (!multiline && cur.length + text.length <= LAST_TOKEN_COLUMN) {
        cur += text;
        continue;
      }
    } else cur += sep;
    cur += keyPart;
    if (!multiline && INDENT.length + t.value.length <= LAST_TOKEN_COLUMN) {
      if (cur.length + t.value.length > LAST_TOKEN_COLUMN) breakHere();
      cur += t.value;
      continue;
    }
    stream(t.value);
  }
  lines.push(cur);
  return lines;
}
