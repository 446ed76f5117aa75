// A small XML tokenizer and tree for OPNsense's config.xml that keeps the offsets of every element
// (open tag, content, close tag), so that edits are splices into the original text and every byte
// the reconciler does not mean to change stays as it was. Device output is hostile: the input is
// bounded in size, depth and element count, DOCTYPEs (entity expansion) are refused, and every
// error says where it is (line and column).

export const MAX_CONFIG_CHARS = 16 * 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ELEMENTS = 500_000;

export class XmlParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`config.xml:${line}:${column}: ${reason}`);
    this.name = "XmlParseError";
  }
}

export interface XmlElement {
  name: string;
  /** Attributes, decoded, in document order. */
  attrs: Record<string, string>;
  /** Offset of `<` of the open tag. */
  start: number;
  /** Offset just after the open tag's `>`. */
  openEnd: number;
  /** Offset of `</` of the close tag (openEnd for a self-closing element). */
  closeStart: number;
  /** Offset just after the element (its close tag's `>`). */
  end: number;
  selfClosing: boolean;
  children: XmlElement[];
  parent: XmlElement | undefined;
  /** The decoded character data directly inside the element (text and CDATA, not children's). */
  text: string;
}

export interface XmlDocument {
  source: string;
  root: XmlElement;
}

const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Where an offset is, for error messages: 1-based line and column. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastNewline = -1;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lastNewline = i;
    }
  }
  return { line, column: offset - lastNewline };
}

/** Character data with the predefined and numeric entities decoded; any other entity is an error. */
function decode(raw: string, at: number, fail: (why: string, offset: number) => never): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (m, body: string, off: number) => {
    if (!m.endsWith(";")) fail("an '&' that starts no entity (write &amp;)", at + off);
    const named = ENTITIES[body];
    if (named !== undefined) return named;
    const num = /^#(x[0-9A-Fa-f]{1,6}|[0-9]{1,7})$/.exec(body);
    if (num?.[1]) {
      const code = num[1].startsWith("x") ? Number.parseInt(num[1].slice(1), 16) : Number(num[1]);
      if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff))
        return String.fromCodePoint(code);
    }
    return fail(`an unknown entity &${body};`, at + off);
  });
}

/** Parses config.xml; throws XmlParseError with line and column. */
export function parseXml(source: string): XmlDocument {
  const fail = (why: string, offset: number): never => {
    const { line, column } = lineColumn(source, offset);
    throw new XmlParseError(why, line, column);
  };
  if (source.length > MAX_CONFIG_CHARS) fail(`the file is larger than ${MAX_CONFIG_CHARS} characters`, 0);
  let pos = 0;
  let count = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(source);
    if (!m) return fail("a name was expected", pos);
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < source.length && /[ \t\r\n]/.test(source[pos] as string)) pos++;
  };
  const addText = (raw: string, at: number, cdata: boolean) => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (raw.trim() !== "") fail("text outside the root element", at);
      return;
    }
    const decoded = cdata ? raw : decode(raw, at, fail);
    // XML's end-of-line handling: CRLF and CR are read as LF (a CRLF file compares like any other).
    top.text += raw.includes("\r") ? decoded.replace(/\r\n?/g, "\n") : decoded;
  };

  while (pos < source.length) {
    const lt = source.indexOf("<", pos);
    if (lt < 0) {
      addText(source.slice(pos), pos, false);
      pos = source.length;
      break;
    }
    if (lt > pos) addText(source.slice(pos, lt), pos, false);
    pos = lt;
    if (source.startsWith("<!--", pos)) {
      const close = source.indexOf("-->", pos + 4);
      if (close < 0) fail("a comment that is never closed", pos);
      pos = close + 3;
    } else if (source.startsWith("<![CDATA[", pos)) {
      if (stack.length === 0) fail("CDATA outside the root element", pos);
      const close = source.indexOf("]]>", pos + 9);
      if (close < 0) fail("a CDATA section that is never closed", pos);
      addText(source.slice(pos + 9, close), pos + 9, true);
      pos = close + 3;
    } else if (source.startsWith("<?", pos)) {
      if (stack.length > 0) fail("a processing instruction inside an element", pos);
      const close = source.indexOf("?>", pos + 2);
      if (close < 0) fail("a processing instruction that is never closed", pos);
      pos = close + 2;
    } else if (source.startsWith("<!", pos)) {
      fail("a DOCTYPE or declaration (refused: config.xml has none)", pos);
    } else if (source.startsWith("</", pos)) {
      const at = pos;
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== ">") fail(`'>' expected to close </${name}`, pos);
      pos++;
      const top = stack.pop();
      if (!top) return fail(`a close tag </${name}> without an open tag`, at);
      if (top.name !== name) fail(`</${name}> closes <${top.name}>`, at);
      top.closeStart = at;
      top.end = pos;
    } else {
      const start = pos;
      pos++;
      const name = readName();
      const attrs: Record<string, string> = {};
      for (;;) {
        const before = pos;
        skipSpace();
        if (source.startsWith("/>", pos) || source[pos] === ">") break;
        if (pos === before) fail(`white space or '>' expected in <${name}>`, pos);
        const attr = readName();
        skipSpace();
        if (source[pos] !== "=") fail(`'=' expected after the attribute ${attr}`, pos);
        pos++;
        skipSpace();
        const quote = source[pos];
        if (quote !== '"' && quote !== "'") return fail("a quoted attribute value expected", pos);
        const close = source.indexOf(quote, pos + 1);
        if (close < 0) fail("an attribute value that is never closed", pos);
        const raw = source.slice(pos + 1, close);
        if (raw.includes("<")) fail("'<' inside an attribute value", pos);
        if (attr in attrs) fail(`the attribute ${attr} twice`, pos);
        attrs[attr] = decode(raw, pos + 1, fail);
        pos = close + 1;
      }
      const selfClosing = source[pos] === "/";
      pos += selfClosing ? 2 : 1;
      if (++count > MAX_ELEMENTS) fail(`more than ${MAX_ELEMENTS} elements`, start);
      const parent = stack[stack.length - 1];
      if (!parent && root) fail("a second root element", start);
      const el: XmlElement = {
        name,
        attrs,
        start,
        openEnd: pos,
        closeStart: pos,
        end: pos,
        selfClosing,
        children: [],
        parent,
        text: "",
      };
      if (parent) parent.children.push(el);
      else root = el;
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`, start);
      }
    }
  }
  const open = stack[stack.length - 1];
  if (open) fail(`<${open.name}> is never closed`, open.start);
  if (!root) return fail("no root element", 0);
  return { source, root };
}

/** The direct children named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The first direct child named `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The element at a path of names below `el`, following the first child of each name. */
export function at(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el;
  for (const name of path) cur = child(cur, name);
  return cur;
}

/** The text of a leaf child (trimmed), or undefined when the child is absent. */
export function leaf(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c === undefined ? undefined : c.text.trim();
}

/** Escapes character data: `&`, `<` and `>` (so that `]]>` never appears); refuses what XML cannot hold. */
export function escapeText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot hold these characters
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(value))
    throw new Error(
      `a value with a control character cannot be written to config.xml: ${JSON.stringify(value)}`,
    );
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes an attribute value (double-quoted). */
export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, "&quot;");
}
