// The /export parser on our own fixtures: every trap of real exports, and hostile input.
import { describe, expect, it } from "vitest";
import {
  EXPORT_LIMITS,
  parseExport,
  unescapeQuoted,
} from "../../../reconciler/drivers/routeros/parse-export.ts";
import { COMPACT_OLD_HEADER, CORE_KEY, PRIVATE_KEY, TERSE_ISO_HEADER } from "./fixtures.ts";

describe("parseExport: compact, old header, CRLF, continuations", () => {
  const parsed = parseExport(COMPACT_OLD_HEADER);

  it("reads the mon/dd/yyyy header, software id, model and serial number", () => {
    expect(parsed.header).toEqual({
      date: "jan/02/2023 03:04:05",
      version: "7.8",
      softwareId: "ABCD-1234",
      model: "RB5009UG+S+",
      serialNumber: "HGF0123456",
    });
    expect(parsed.diagnostics).toEqual([]);
  });

  it("joins a continuation between key= and its value, and inside a quoted string (dropping the 4 spaces)", () => {
    const bridges = parsed.items.filter((i) => i.path === "/interface bridge");
    expect(bridges.map((b) => b.properties)).toEqual([
      { comment: "customer sector", name: "bridge-sector" },
      { name: "loopback" },
    ]);
    const wg = parsed.items.find((i) => i.path === "/interface wireguard");
    expect(wg?.properties).toEqual({
      comment: "link core-tower to core-1 [reconciler]",
      "listen-port": "13231",
      mtu: "1420",
      name: "wg-core",
      "private-key": PRIVATE_KEY,
    });
  });

  it("skips a comment inside a section and keeps the section's menu", () => {
    const peer = parsed.items.find((i) => i.path === "/interface wireguard peers");
    expect(peer?.command).toBe("add");
    expect(peer?.properties["public-key"]).toBe(CORE_KEY);
    expect(peer?.properties["endpoint-port"]).toBe("51821");
  });

  it("reads set [ find default-name=... ] and set without a selector", () => {
    const eth = parsed.items.find((i) => i.path === "/interface ethernet");
    expect(eth?.selector).toEqual({ kind: "find", where: { "default-name": "ether1" } });
    const dns = parsed.items.find((i) => i.path === "/ip dns");
    expect(dns).toMatchObject({ command: "set", properties: { servers: "192.0.2.53" } });
    expect(dns?.selector).toBeUndefined();
  });

  it("counts physical lines across CRLF and continuations", () => {
    const addr = parsed.items.filter((i) => i.path === "/ip address");
    expect(addr.map((a) => a.line)).toEqual([21, 22, 23]);
  });
});

describe("parseExport: terse, ISO header, selectors, dot shorthand, escapes", () => {
  const parsed = parseExport(TERSE_ISO_HEADER);

  it("reads the ISO header and an empty software id", () => {
    expect(parsed.header).toEqual({ date: "2026-11-29 12:00:00", version: "7.16.1" });
    expect(parsed.diagnostics).toEqual([]);
  });

  it("takes the menu from each line", () => {
    expect(parsed.items.map((i) => `${i.path} ${i.command}`)).toEqual([
      "/interface bridge add",
      "/routing bgp connection add",
      "/ip firewall filter add",
      "/port set",
      "/interface ethernet set",
      "/ip service set",
      "/snmp community set",
      "/interface list member set",
      "/system note set",
    ]);
  });

  it("expands .role= and .as= with the previous dotted prefix", () => {
    expect(parsed.items[1]?.properties).toEqual({
      "local.address": "192.0.2.1",
      "local.role": "ibgp",
      name: "rr",
      "remote.address": "192.0.2.2",
      "remote.as": "64500",
      as: "64500",
    });
  });

  it("keeps # inside values (a comment only starts a line)", () => {
    expect(parsed.items[2]?.properties).toMatchObject({ comment: '#1 "quoted" $x', "log-prefix": "#DROP" });
  });

  it("reads every selector form", () => {
    expect(parsed.items.slice(3, 8).map((i) => i.selector)).toEqual([
      { kind: "index", index: 0 },
      { kind: "id", id: "*1A" },
      { kind: "name", name: "ftp" },
      { kind: "find", where: { default: "yes" } },
      { kind: "find", where: {} },
    ]);
  });

  it("decodes RouterOS escapes, \\HH bytes as UTF-8", () => {
    expect(parsed.items[8]?.properties.note).toBe("line one\nline two\ttab space?q\\backAП");
    expect(unescapeQuoted("\\ab")).toBe("\x07b"); // lower case: an escape, not a hex byte
    expect(unescapeQuoted("\\AB")).toBe("\uFFFD"); // a lone byte that is not UTF-8
  });
});

describe("parseExport: more forms", () => {
  it("reads an export without header, LF only, slash-separated menus and bare flags", () => {
    const p = parseExport(
      "/routing/ospf/area\nadd area-id=0.0.0.1 instance=v2 name=a1 no-summaries type=stub\n/ip route add blackhole dst-address=192.0.2.0/24\n",
    );
    expect(p.header).toEqual({});
    expect(p.items[0]).toMatchObject({ path: "/routing ospf area", flags: ["no-summaries"] });
    expect(p.items[1]).toMatchObject({ path: "/ip route", flags: ["blackhole"] });
  });

  it("reads a terse export's lone menu line, a note inside it, and an item of that menu without a path", () => {
    const p = parseExport(
      "/ip firewall filter add action=accept chain=input\n/ip firewall nat\n# wg-x not ready\nadd action=masquerade chain=srcnat out-interface=wg-x\n/ip dhcp-client add\n",
    );
    expect(p.diagnostics).toEqual([]);
    expect(p.items.map((i) => [i.path, i.command, Object.keys(i.properties).length])).toEqual([
      ["/ip firewall filter", "add", 2],
      ["/ip firewall nat", "add", 3],
      ["/ip dhcp-client", "add", 0],
    ]);
  });

  it("reads a selector written without spaces and with where/and", () => {
    const p = parseExport('/interface set [find where name="a b" and mtu=1500] mtu=1400\n');
    expect(p.items[0]?.selector).toEqual({ kind: "find", where: { name: "a b", mtu: "1500" } });
  });

  it("keeps a quoted value's ] and ; and [ as text", () => {
    const p = parseExport(
      '/routing filter rule add chain=x rule="if (dst in 192.0.2.0/24) { accept; } [x]"\n',
    );
    expect(p.items[0]?.properties.rule).toBe("if (dst in 192.0.2.0/24) { accept; } [x]");
  });
});

describe("parseExport: hostile input never throws", () => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["only comments", "# a\n# b\n"],
    ["a command before any menu", "add name=x\n"],
    [
      "an unterminated quote",
      '/interface bridge add name="x\n/ip address add address=192.0.2.1/24 interface=x\n',
    ],
    ["a lone backslash at the end", "/interface bridge add name=x \\"],
    ["a selector that is not find", "/interface set [ /system reset-configuration ] name=x\n"],
    ["a bare = ", "/interface bridge add =x\n"],
    ["NUL and control bytes", "/interface bridge add name=\u0000\u0001\u0002\n"],
    ["a __proto__ key", "/interface bridge add __proto__=x constructor=y name=z\n"],
    ["a dot shorthand with no prefix", "/ip route add .as=1\n"],
    ["an unknown command", "/interface bridge frobnicate\n"],
    ["a BOM", "\uFEFF/interface bridge add name=x\n"],
  ];
  for (const [what, text] of cases)
    it(what, () => {
      const p = parseExport(text);
      expect(Array.isArray(p.items)).toBe(true);
      expect(Object.getPrototypeOf(p.items[0]?.properties ?? {})).toBe(Object.prototype);
    });

  it("reports what it could not read, with the line", () => {
    const p = parseExport('/interface bridge\nadd name="x\nadd name=y\nset [ :put 1 ] a=b\n');
    expect(p.items.map((i) => i.properties.name)).toEqual(["y"]);
    expect(p.diagnostics.map((d) => [d.line, d.severity])).toEqual([
      [2, "error"],
      [4, "error"],
    ]);
  });

  it("keeps __proto__ as an own property", () => {
    const p = parseExport("/interface bridge add __proto__=x name=z\n");
    expect(Object.keys(p.items[0]?.properties ?? {})).toEqual(["__proto__", "name"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("is bounded: a huge line and many diagnostics", () => {
    const many = "add name=x\n".repeat(1000);
    const p = parseExport(many);
    expect(p.diagnostics.length).toBeLessThanOrEqual(EXPORT_LIMITS.maxDiagnostics + 1);
    const long = parseExport(`/interface bridge add name=${"a".repeat(100_000)}\n`);
    expect(long.items[0]?.properties.name?.length).toBe(100_000);
  });

  it("survives random bytes", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = '/\\"=[] \n\r#.$?abc01;*';
    for (let n = 0; n < 300; n++) {
      let s = "";
      for (let i = 0; i < 200; i++) s += alphabet[rnd() % alphabet.length];
      expect(() => parseExport(s)).not.toThrow();
    }
  });
});
