// A small element tree for config.xml: parse, query, edit and serialise the way OPNsense writes
// it. Config.php's __toString() re-imports the tree into a DOMDocument with formatOutput, so a
// saved file has an `<?xml version="1.0"?>` line, two-space indentation, text-only elements on
// one line and empty elements self-closing (`<mtu/>`). config.xml has no mixed content; text
// beside child elements (whitespace) is dropped, as LIBXML_NOBLANKS does on load.

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: XmlElement[];
  /** Text of an element without children ("" when empty). */
  text: string;
}

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`unknown entity ${m}`);
    return v;
  });
}

/** Parses a config.xml document; throws XmlError on anything malformed. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new XmlError(`line ${line}: ${why}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i] ?? "")) i++;
      if (src.startsWith("<?", i)) {
        const end = src.indexOf("?>", i);
        if (end < 0) fail("unterminated declaration");
        i = end + 2;
      } else if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else return;
    }
  };
  const parseElement = (): XmlElement => {
    if (src[i] !== "<") fail("expected an element");
    i++;
    const nameMatch = /^[A-Za-z_][\w.:-]*/.exec(src.slice(i, i + 200));
    if (!nameMatch) fail("bad element name");
    const name = (nameMatch as RegExpExecArray)[0];
    i += name.length;
    const attrs: [string, string][] = [];
    for (;;) {
      while (/\s/.test(src[i] ?? "")) i++;
      if (src.startsWith("/>", i)) {
        i += 2;
        return { name, attrs, children: [], text: "" };
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      const am = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(src.slice(i, i + 4096));
      if (!am) fail(`bad attribute in <${name}>`);
      const a = am as RegExpExecArray;
      attrs.push([a[1] as string, decode(a[3] ?? a[4] ?? "")]);
      i += a[0].length;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      if (i >= src.length) fail(`unterminated <${name}>`);
      if (src.startsWith("</", i)) {
        const end = src.indexOf(">", i);
        const closing = src.slice(i + 2, end).trim();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        i = end + 1;
        return { name, attrs, children, text: children.length > 0 ? "" : text };
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (src.startsWith("<![CDATA[", i)) {
        const end = src.indexOf("]]>", i);
        if (end < 0) fail("unterminated CDATA");
        text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src[i] === "<") {
        children.push(parseElement());
      } else {
        const next = src.indexOf("<", i);
        if (next < 0) fail(`unterminated <${name}>`);
        text += decode(src.slice(i, next));
        i = next;
      }
    }
  };
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i < src.length) fail("content after the root element");
  return root;
}

function escText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escAttr(s: string): string {
  return escText(s).replace(/"/g, "&quot;");
}

/** Serialises like DOMDocument::saveXML() with formatOutput (what Config.php writes). */
export function serializeXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0"?>'];
  const walk = (e: XmlElement, depth: number) => {
    const pad = "  ".repeat(depth);
    const attrs = e.attrs.map(([k, v]) => ` ${k}="${escAttr(v)}"`).join("");
    if (e.children.length === 0) {
      out.push(
        e.text === ""
          ? `${pad}<${e.name}${attrs}/>`
          : `${pad}<${e.name}${attrs}>${escText(e.text)}</${e.name}>`,
      );
      return;
    }
    out.push(`${pad}<${e.name}${attrs}>`);
    for (const c of e.children) walk(c, depth + 1);
    out.push(`${pad}</${e.name}>`);
  };
  walk(root, 0);
  return `${out.join("\n")}\n`;
}

/** The first child named `name`. */
export function child(e: XmlElement | undefined, name: string): XmlElement | undefined {
  return e?.children.find((c) => c.name === name);
}

/** Every child named `name`, in document order. */
export function childrenNamed(e: XmlElement | undefined, name: string): XmlElement[] {
  return e ? e.children.filter((c) => c.name === name) : [];
}

/** The element at a slash path below `e` ("OPNsense/wireguard/server"), first match per step. */
export function at(e: XmlElement | undefined, path: string): XmlElement | undefined {
  let cur = e;
  for (const step of path.split("/").filter(Boolean)) cur = child(cur, step);
  return cur;
}

/** The text of the child `name` ("" when absent or empty), like a model field's value. */
export function text(e: XmlElement | undefined, name: string): string {
  return child(e, name)?.text.trim() ?? "";
}

export function attr(e: XmlElement, name: string): string | undefined {
  return e.attrs.find(([k]) => k === name)?.[1];
}

export function el(
  name: string,
  textOrChildren: string | XmlElement[] = "",
  attrs: [string, string][] = [],
): XmlElement {
  return typeof textOrChildren === "string"
    ? { name, attrs, children: [], text: textOrChildren }
    : { name, attrs, children: textOrChildren, text: "" };
}
