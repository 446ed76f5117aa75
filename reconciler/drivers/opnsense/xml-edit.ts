// Edits to config.xml as splices into the original text: a changed value replaces only that
// element's content, a new element is inserted indented like its siblings, a removed one takes
// its own line with it. Everything else keeps its bytes. Edits never overlap: the renderer edits
// an element or something inside it, never both.
import { child, escapeAttr, escapeText, type XmlDocument, type XmlElement } from "./xml.ts";

/** An element to write: a leaf value (empty: self-closing) or children. */
export interface XNode {
  name: string;
  attrs?: [string, string][];
  value?: string;
  children?: XNode[];
}

/** Where new elements go: an element of the document, or one still to be written. */
export type Handle = { el: XmlElement } | { x: XNode };

interface Splice {
  start: number;
  end: number;
  text: string;
}

function openTag(n: XNode, close: string): string {
  const attrs = (n.attrs ?? []).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join("");
  return `<${n.name}${attrs}${close}`;
}

/** An element as text, its first line unindented, the others at `indent` plus one `unit` per level. */
export function renderNode(n: XNode, indent: string, unit: string): string {
  if (n.children && n.children.length > 0) {
    const inner = n.children.map((c) => `\n${indent}${unit}${renderNode(c, indent + unit, unit)}`).join("");
    return `${openTag(n, ">")}${inner}\n${indent}</${n.name}>`;
  }
  if (n.value === undefined || n.value === "") return openTag(n, "/>");
  return `${openTag(n, ">")}${escapeText(n.value)}</${n.name}>`;
}

/** The canonical form of an element's content, to compare a composite field with what is wanted. */
export function canonOf(el: XmlElement): string {
  if (el.children.length === 0) return el.text.trim();
  return el.children.map((c) => `${c.name}=${canonOf(c)};`).join("");
}

export function canonOfNode(n: XNode): string {
  if (n.children && n.children.length > 0)
    return n.children.map((c) => `${c.name}=${canonOfNode(c)};`).join("");
  return n.value ?? "";
}

export class XmlEditor {
  private readonly splices: Splice[] = [];
  private readonly appends = new Map<XmlElement, XNode[]>();
  private readonly afters = new Map<XmlElement, XNode[]>();
  private readonly befores = new Map<XmlElement, XNode[]>();

  constructor(readonly doc: XmlDocument) {}

  private get src(): string {
    return this.doc.source;
  }

  /** The white space before an element on its line ("" when something else precedes it). */
  indentOf(el: XmlElement): string {
    const nl = this.src.lastIndexOf("\n", el.start - 1);
    const pre = this.src.slice(nl + 1, el.start);
    return /^[ \t]*$/.test(pre) ? pre : "";
  }

  /** The indentation unit of the file: the root's first child's, else two spaces. */
  unit(): string {
    const first = this.doc.root.children[0];
    const u = first ? this.indentOf(first) : "";
    return u === "" ? "  " : u;
  }

  childIndent(el: XmlElement): string {
    const first = el.children[0];
    return first ? this.indentOf(first) : this.indentOf(el) + this.unit();
  }

  /** The child named `name` of a handle, found in the document or created (empty) on first use. */
  child(h: Handle, name: string, attrs?: [string, string][]): Handle {
    if ("el" in h) {
      const found = child(h.el, name);
      if (found) return { el: found };
      const pending = (this.appends.get(h.el) ?? []).find((x) => x.name === name);
      if (pending) return { x: pending };
    } else {
      const found = (h.x.children ?? []).find((x) => x.name === name);
      if (found) return { x: found };
    }
    const x: XNode = { name, children: [], ...(attrs ? { attrs } : {}) };
    this.append(h, x);
    return { x };
  }

  path(h: Handle, ...names: string[]): Handle {
    let cur = h;
    for (const n of names) cur = this.child(cur, n);
    return cur;
  }

  /** Adds an element at the end of a handle's children. */
  append(h: Handle, x: XNode): void {
    if ("x" in h) {
      h.x.children = [...(h.x.children ?? []), x];
      delete h.x.value;
      return;
    }
    const list = this.appends.get(h.el) ?? [];
    list.push(x);
    this.appends.set(h.el, list);
  }

  insertAfter(el: XmlElement, x: XNode): void {
    const list = this.afters.get(el) ?? [];
    list.push(x);
    this.afters.set(el, list);
  }

  insertBefore(el: XmlElement, x: XNode): void {
    const list = this.befores.get(el) ?? [];
    list.push(x);
    this.befores.set(el, list);
  }

  /** Removes an element, and the line it stood on when it stood alone on it. */
  remove(el: XmlElement): void {
    const nl = this.src.lastIndexOf("\n", el.start - 1);
    const alone = nl >= 0 && /^[ \t]*$/.test(this.src.slice(nl + 1, el.start));
    // The line break before it goes with it, CR and all.
    const from = alone ? (this.src[nl - 1] === "\r" ? nl - 1 : nl) : el.start;
    this.splices.push({ start: from, end: el.end, text: "" });
  }

  /** Replaces a whole element by another (same indentation). */
  replace(el: XmlElement, x: XNode): void {
    this.splices.push({ start: el.start, end: el.end, text: renderNode(x, this.indentOf(el), this.unit()) });
  }

  /** Sets a leaf's value: only its content changes (a self-closing element is opened, an emptied one closed). */
  setText(el: XmlElement, value: string): void {
    const tag = this.src.slice(el.start, el.openEnd);
    if (value === "") {
      if (el.selfClosing) return;
      this.splices.push({ start: el.start, end: el.end, text: `${tag.slice(0, -1).trimEnd()}/>` });
    } else if (el.selfClosing) {
      const open = `${tag.slice(0, -2).trimEnd()}>`;
      this.splices.push({ start: el.start, end: el.end, text: `${open}${escapeText(value)}</${el.name}>` });
    } else {
      this.splices.push({ start: el.openEnd, end: el.closeStart, text: escapeText(value) });
    }
  }

  /** Sets an attribute's value in the open tag (added before the tag's end when absent). */
  setAttr(el: XmlElement, name: string, value: string): void {
    const tag = this.src.slice(el.start, el.openEnd);
    const re = new RegExp(`(\\s${name}\\s*=\\s*)("[^"]*"|'[^']*')`);
    const m = re.exec(tag);
    if (m) {
      const s = el.start + m.index + (m[1] as string).length;
      this.splices.push({ start: s, end: s + (m[2] as string).length, text: `"${escapeAttr(value)}"` });
    } else {
      const s = el.start + 1 + el.name.length;
      this.splices.push({ start: s, end: s, text: ` ${name}="${escapeAttr(value)}"` });
    }
  }

  /** The new text. */
  result(): string {
    const unit = this.unit();
    const all: Splice[] = [...this.splices];
    for (const [el, xs] of this.appends) {
      const ci = this.childIndent(el);
      const pi = this.indentOf(el);
      const body = xs.map((x) => `\n${ci}${renderNode(x, ci, unit)}`).join("");
      if (el.selfClosing) {
        const tag = this.src.slice(el.start, el.openEnd);
        all.push({
          start: el.start,
          end: el.end,
          text: `${tag.slice(0, -2).trimEnd()}>${body}\n${pi}</${el.name}>`,
        });
      } else if (el.children.length > 0) {
        const last = el.children[el.children.length - 1] as XmlElement;
        all.push({ start: last.end, end: last.end, text: body });
      } else {
        all.push({ start: el.openEnd, end: el.closeStart, text: `${body}\n${pi}` });
      }
    }
    for (const [el, xs] of this.afters) {
      const ind = this.indentOf(el);
      all.push({
        start: el.end,
        end: el.end,
        text: xs.map((x) => `\n${ind}${renderNode(x, ind, unit)}`).join(""),
      });
    }
    for (const [el, xs] of this.befores) {
      const ind = this.indentOf(el);
      all.push({
        start: el.start,
        end: el.start,
        text: xs.map((x) => `${renderNode(x, ind, unit)}\n${ind}`).join(""),
      });
    }
    // Back to front, so that each splice's offsets are still those of the original text.
    all.sort((a, b) => b.start - a.start || b.end - a.end);
    let out = this.src;
    let floor = Number.POSITIVE_INFINITY;
    // New text is written with the file's own line breaks.
    const crlf = this.src.includes("\r\n");
    for (const s of all) {
      if (s.end > floor) throw new Error("overlapping edits of config.xml (a bug in the renderer)");
      const text = crlf ? s.text.replace(/\r?\n/g, "\r\n") : s.text;
      out = out.slice(0, s.start) + text + out.slice(s.end);
      floor = s.start;
    }
    return out;
  }
}
