// The offset-keeping XML tree: offsets of every element, decoded text, errors with line and
// column, bounds on hostile input, and escaping that round-trips.
import { describe, expect, it } from "vitest";
import {
  at,
  escapeText,
  MAX_DEPTH,
  parseXml,
  XmlParseError,
} from "../../../reconciler/drivers/opnsense/xml.ts";
import { XmlEditor } from "../../../reconciler/drivers/opnsense/xml-edit.ts";
import { fixture } from "./helpers.ts";

const errorOf = (text: string): XmlParseError => {
  try {
    parseXml(text);
  } catch (e) {
    if (e instanceof XmlParseError) return e;
    throw e;
  }
  throw new Error("parsed");
};

describe("the config.xml tokenizer", () => {
  it("keeps the offsets of open tag, content and close tag", () => {
    const text = '<?xml version="1.0"?>\n<a>\n  <b x="1">v &amp; w</b>\n  <c/>\n</a>\n';
    const doc = parseXml(text);
    const b = at(doc.root, "b");
    const c = at(doc.root, "c");
    expect(b && text.slice(b.start, b.end)).toBe('<b x="1">v &amp; w</b>');
    expect(b && text.slice(b.start, b.openEnd)).toBe('<b x="1">');
    expect(b && text.slice(b.openEnd, b.closeStart)).toBe("v &amp; w");
    expect(b?.text).toBe("v & w");
    expect(b?.attrs).toEqual({ x: "1" });
    expect(c && text.slice(c.start, c.end)).toBe("<c/>");
    expect(c?.selfClosing).toBe(true);
    expect(text.slice(doc.root.start, doc.root.end)).toBe(text.slice(22, -1));
  });

  it("decodes CDATA and numeric entities, and skips comments", () => {
    const doc = parseXml("<a><!-- <b> --><b><![CDATA[x < y]]>&#65;&#x42;</b></a>");
    expect(at(doc.root, "b")?.text).toBe("x < yAB");
  });

  it.each([
    ["<a>\n  <b></c>\n</a>", 2, 6, "</c> closes <b>"],
    ["<a>\n<b>&nbsp;</b></a>", 2, 4, "unknown entity"],
    ['<!DOCTYPE a [<!ENTITY x "y">]>\n<a/>', 1, 1, "DOCTYPE"],
    ["<a>\n  <b>\n</a>", 3, 1, "</a> closes <b>"],
    ["<a>\n<b x=1/></a>", 2, 6, "quoted attribute"],
    ["<a></a>\n<b/>", 2, 1, "second root"],
    ["<a>\n  <b>", 2, 3, "never closed"],
    ["<a>x & y</a>", 1, 6, "'&'"],
  ])("refuses %j at line %i column %i", (text, line, column, why) => {
    const e = errorOf(text);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toContain(why);
    expect(e.message).toMatch(new RegExp(`^config\\.xml:${line}:${column}: `));
  });

  it("refuses nesting deeper than its bound, and input larger than its bound", () => {
    const deep = `${"<a>".repeat(MAX_DEPTH + 1)}${"</a>".repeat(MAX_DEPTH + 1)}`;
    expect(errorOf(deep).message).toContain("nested deeper");
    expect(() => parseXml(`<a>${"x".repeat(17 * 1024 * 1024)}</a>`)).toThrow(/larger than/);
  });

  it("escapes what could break out of a value, and refuses control characters", () => {
    const hostile = `a < b & c > d ]]> "e" 'f'`;
    const doc = parseXml(`<a><b>${escapeText(hostile)}</b></a>`);
    expect(at(doc.root, "b")?.text).toBe(hostile);
    expect(escapeText(hostile)).not.toContain("]]>");
    expect(() => escapeText("a\u0001b")).toThrow(/control character/);
  });

  it("splices: a changed value, an added element and a removed one leave every other byte", () => {
    const text = fixture("box.xml");
    const doc = parseXml(text);
    const ed = new XmlEditor(doc);
    const hostname = at(doc.root, "system", "hostname");
    const timezone = at(doc.root, "system", "timezone");
    if (!hostname || !timezone) throw new Error("fixture");
    ed.setText(hostname, "fw-2");
    ed.append({ el: at(doc.root, "system") ?? doc.root }, { name: "language", value: "en_US" });
    ed.remove(at(doc.root, "theme") ?? doc.root);
    const out = ed.result();
    expect(out).toBe(
      text
        .replace("<hostname>fw-1</hostname>", "<hostname>fw-2</hostname>")
        .replace(
          "<timezone>Etc/UTC</timezone>",
          "<timezone>Etc/UTC</timezone>\n    <language>en_US</language>",
        )
        .replace("\n  <theme>opnsense</theme>", ""),
    );
  });
});
