// RouterOS quoting: hostile values go out as one value of one command and read back as themselves.
import { describe, expect, it } from "vitest";
import { parseExport } from "../../../reconciler/drivers/routeros/parse-export.ts";
import {
  assertOneCommand,
  findWhere,
  formatProperties,
  oneCommandProblem,
  quoteValue,
} from "../../../reconciler/drivers/routeros/quote.ts";

const HOSTILE = [
  "",
  " ",
  'a"b',
  "a\\b",
  "\\",
  '\\"',
  "$x",
  "$(:put 1)",
  "[/system reset-configuration]",
  "a; /system reset-configuration",
  "a\n/system reset-configuration",
  "a\r\n/user add name=x",
  "tab\there",
  "?",
  "#comment",
  "name=x",
  "a b=c",
  "{ :put 1 }",
  "\u0000\u0001\u001f\u007f",
  "Привет ✓ 🎉",
  "ends with backslash \\",
  "\\n is not a newline",
  "\\41 is not A",
  "/system reboot",
  "*1A",
];

describe("quoteValue", () => {
  it("leaves plain words bare, as exports print them", () => {
    expect(quoteValue("ether1")).toBe("ether1");
    expect(quoteValue("137-139,445")).toBe("137-139,445");
    expect(quoteValue("192.0.2.0/24")).toBe("192.0.2.0/24");
    expect(quoteValue("!alist")).toBe("!alist");
    expect(quoteValue(1420)).toBe("1420");
    expect(quoteValue(true)).toBe("yes");
    expect(quoteValue(false)).toBe("no");
  });

  it("quotes and escapes by RouterOS's rules", () => {
    expect(quoteValue("")).toBe('""');
    expect(quoteValue("a b")).toBe('"a b"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue("$x")).toBe('"\\$x"');
    expect(quoteValue("why?")).toBe('"why\\?"');
    expect(quoteValue("a\\b")).toBe('"a\\\\b"');
    expect(quoteValue("1\n2\r3\t4")).toBe('"1\\n2\\r3\\t4"');
    expect(quoteValue("\u0001\u007f")).toBe('"\\01\\7F"');
    expect(quoteValue("П")).toBe('"\\D0\\9F"');
    expect(quoteValue("a;b[c]")).toBe('"a;b[c]"');
    expect(quoteValue("key=x")).toBe('"key=x"');
    expect(quoteValue("/system reboot")).toBe('"/system reboot"');
    expect(quoteValue("/x")).toBe('"/x"');
    expect(quoteValue("*1A")).toBe('"*1A"');
  });

  for (const value of HOSTILE)
    it(`round-trips ${JSON.stringify(value)} through a command line and the parser`, () => {
      const line = assertOneCommand(
        `/interface bridge add ${formatProperties([
          ["comment", value],
          ["name", "br0"],
        ])}`,
      );
      expect(line).not.toMatch(/[\r\n]/);
      const parsed = parseExport(line);
      expect(parsed.diagnostics).toEqual([]);
      expect(parsed.items).toHaveLength(1);
      expect(parsed.items[0]?.properties).toEqual({ comment: value, name: "br0" });
    });

  it("round-trips hostile values inside a find selector", () => {
    for (const value of HOSTILE) {
      const line = assertOneCommand(`/interface bridge set ${findWhere([["name", value]])} mtu=1500`);
      expect(parseExport(line).items[0]?.selector).toEqual({ kind: "find", where: { name: value } });
    }
  });
});

describe("oneCommandProblem", () => {
  it("accepts one command, with [ find ] selectors and quoted specials", () => {
    expect(oneCommandProblem("/system identity set name=tower-1")).toBeUndefined();
    expect(oneCommandProblem('/interface set [ find where name="a;b" ] comment="x[y]{z}"')).toBeUndefined();
    expect(oneCommandProblem("/interface set [find default-name=ether1] mtu=1500")).toBeUndefined();
  });

  it.each([
    ["/ip dns set servers=192.0.2.53; /user add name=evil", /;/],
    ["/ip dns set servers=192.0.2.53\n/user add name=evil", /line end/],
    ["/ip dns set servers=192.0.2.53\r", /line end/],
    ["/interface set [ /system reset-configuration ] name=x", /find/],
    ["/interface set [ find [ :put 1 ] ] name=x", /nested/],
    ['/system identity set name="unclosed', /not closed/],
    ["/system identity set name=x \\", /backslash/],
    ["/system script add source={ :put 1 }", /block/],
    ["/system identity set name=\u0000", /NUL/],
    ["/system identity set name=]", /without \[/],
    ["", /empty/],
  ])("refuses %j", (line, why) => {
    expect(oneCommandProblem(line)).toMatch(why);
    expect(() => assertOneCommand(line)).toThrow(/refusing/);
  });
});
