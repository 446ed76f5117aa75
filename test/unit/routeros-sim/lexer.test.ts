// The RouterOS command language: quoting, escapes, line joining, comments, positions.
import { describe, expect, it } from "vitest";
import { type Command, literal, parseScript, type Value } from "../../sim/routeros/lexer.ts";

const text = (v: Value) => literal(v);
const shape = (cmds: Command[]) =>
  cmds.map((c) => c.items.map((i) => (i.key === undefined ? text(i.value) : `${i.key}=${text(i.value)}`)));

describe("RouterOS lexer", () => {
  it("splits commands at newlines and semicolons, keys from values at =", () => {
    expect(
      shape(
        parseScript("/ip address add address=192.0.2.1/24 interface=ether1; /system identity print\n:put x"),
      ),
    ).toEqual([
      ["/ip", "address", "add", "address=192.0.2.1/24", "interface=ether1"],
      ["/system", "identity", "print"],
      [":put", "x"],
    ]);
  });

  it("reads quoted strings with every escape", () => {
    const [cmd] = parseScript(String.raw`:put "a \"q\" b\\c \$d\ne\rf\tg\_h\41"`);
    const v = cmd?.items[1]?.value as Value;
    expect(text(v)).toBe('a "q" b\\c $d\ne\rf\tg hA');
    expect(v.kind === "string" && v.quoted).toBe(true);
  });

  it("keeps a variable inside a quoted string as a variable", () => {
    const [cmd] = parseScript(':put "id $x!"');
    const v = cmd?.items[1]?.value;
    expect(v?.kind === "string" && v.parts).toEqual(["id ", { variable: "x" }, "!"]);
  });

  it("joins a line ending in \\ with the next, dropping its indentation, even between key= and value and inside quotes", () => {
    const src = 'add comment="one two th\\\r\n    ree" name=\\\r\n    wg0 \\\r\n    mtu=1420\r\n';
    expect(shape(parseScript(src))).toEqual([["add", "comment=one two three", "name=wg0", "mtu=1420"]]);
  });

  it("treats # as a comment only where a command starts", () => {
    const src =
      "# header line\n/ip address\n# a comment inside a section\nadd address=192.0.2.1 interface=ether1 comment=a#b\n";
    expect(shape(parseScript(src))).toEqual([
      ["/ip", "address"],
      ["add", "address=192.0.2.1", "interface=ether1", "comment=a#b"],
    ]);
  });

  it("parses [ substitutions ] and { blocks } with their commands", () => {
    const [cmd] = parseScript(
      ':do { /ip address remove [ find where comment="x y" ] } on-error={ :put failed }',
    );
    const items = cmd?.items ?? [];
    expect(items[1]?.value.kind).toBe("block");
    expect(items[2]?.key).toBe("on-error");
    const block = items[1]?.value;
    if (block?.kind !== "block") throw new Error("no block");
    const sub = block.commands[0]?.items[3]?.value;
    expect(sub?.kind).toBe("substitution");
    if (sub?.kind !== "substitution") throw new Error("no substitution");
    expect(shape(sub.commands)).toEqual([["find", "where", "comment=x y"]]);
  });

  it("records each item's line and column (1-based)", () => {
    const [, second] = parseScript("/ip address\n  add  address=192.0.2.1");
    expect(second?.items[0]?.pos).toEqual({ line: 2, column: 3 });
    expect(second?.items[1]?.pos).toEqual({ line: 2, column: 8 });
  });

  it("refuses an unterminated string", () => {
    expect(() => parseScript(':put "abc')).toThrow("syntax error (line 1 column 6)");
  });

  it("reads `key=` as an empty value and `!key` / `key~` as words", () => {
    expect(shape(parseScript('print where comment~"^a" !disabled name!=x endpoint-address='))).toEqual([
      ["print", "where", "comment~", "^a", "!disabled", "name!=x", "endpoint-address="],
    ]);
  });
});
