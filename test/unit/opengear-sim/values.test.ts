import { describe, expect, it } from "vitest";
import { flatten, parseAssignments, parseLiteral } from "../../sim/opengear/values.ts";

describe("ogcli value syntax", () => {
  it("prints strings quoted, booleans, numbers and empty arrays bare, nested keys dotted, arrays indexed", () => {
    expect(
      flatten({
        enabled: true,
        physifs: [],
        port: 161,
        groups: ["admin", "netgrp"],
        ipv4_static_settings: { address: "192.0.2.10", netmask: "255.255.255.0" },
        label: 'say "hi"',
      }),
    ).toEqual([
      "enabled=true",
      'groups[0]="admin"',
      'groups[1]="netgrp"',
      'ipv4_static_settings.address="192.0.2.10"',
      'ipv4_static_settings.netmask="255.255.255.0"',
      'label="say \\"hi\\""',
      "physifs=[]",
      "port=161",
    ]);
  });

  it("reads here-document bodies back into the same object", () => {
    const obj = { a: { b: [{ c: "x" }, { c: "y" }] }, e: false, n: 3, s: 'q"\\' };
    expect(parseAssignments(flatten(obj).map((l) => `  ${l}`))).toEqual(obj);
  });

  it("refuses bare words, unterminated strings and skipped indexes", () => {
    expect(() => parseLiteral("foo")).toThrow();
    expect(() => parseLiteral('"foo')).toThrow();
    expect(() => parseAssignments(['groups[1]="x"'])).toThrow();
  });
});
