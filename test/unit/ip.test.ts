import { describe, expect, it } from "vitest";
import {
  formatAddress,
  formatPrefix,
  isLinkLocal,
  isNetwork,
  nthAddress,
  parseAddress,
  parsePrefix,
  prefixesOverlap,
} from "../../reconciler/model/ip.ts";

const p = (s: string) => {
  const r = parsePrefix(s);
  if (!r) throw new Error(`bad prefix ${s}`);
  return r;
};

describe("ip", () => {
  it("parses and formats IPv4", () => {
    expect(parseAddress("192.0.2.1")).toEqual({ family: 4, value: 0xc0000201n });
    for (const bad of ["192.0.2", "192.0.2.256", "192.0.2.01", "192.0.2.1.1", "", "a.b.c.d"]) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });

  it("parses IPv6 in every notation and formats it per RFC 5952", () => {
    const cases: [string, string][] = [
      ["2001:db8::1", "2001:db8::1"],
      ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
      ["::", "::"],
      ["::1", "::1"],
      ["fe80::ab:1", "fe80::ab:1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ];
    for (const [input, out] of cases) {
      const a = parseAddress(input);
      expect(a?.family, input).toBe(6);
      expect(formatAddress(a as NonNullable<typeof a>)).toBe(out);
    }
    for (const bad of [
      "2001:db8:::1",
      "2001:db8::1::2",
      "1:2:3:4:5:6:7:8:9",
      "2001:db8::g",
      "1:2:3:4:5:6:7",
    ]) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });

  it("tells networks from interface addresses", () => {
    expect(isNetwork(p("192.0.2.0/24"))).toBe(true);
    expect(isNetwork(p("192.0.2.1/24"))).toBe(false);
    expect(isNetwork(p("2001:db8::/32"))).toBe(true);
    expect(parsePrefix("192.0.2.0/33")).toBeUndefined();
    expect(parsePrefix("2001:db8::/129")).toBeUndefined();
    expect(parsePrefix("192.0.2.0")).toBeUndefined();
  });

  it("detects overlaps only within a family", () => {
    expect(prefixesOverlap(p("203.0.113.0/31"), p("203.0.113.1/32"))).toBe(true);
    expect(prefixesOverlap(p("203.0.113.0/31"), p("203.0.113.2/31"))).toBe(false);
    expect(prefixesOverlap(p("0.0.0.0/0"), p("::/0"))).toBe(false);
    expect(prefixesOverlap(p("2001:db8::/32"), p("2001:db8:ffff::1/128"))).toBe(true);
  });

  it("carves addresses and knows link-local", () => {
    expect(formatAddress(nthAddress(p("203.0.113.4/31"), 1n))).toBe("203.0.113.5");
    expect(formatPrefix(p("2001:db8::1/64"))).toBe("2001:db8::1/64");
    expect(isLinkLocal({ family: 6, value: parseAddress("fe80::1")?.value ?? 0n })).toBe(true);
    expect(isLinkLocal({ family: 6, value: parseAddress("fec0::1")?.value ?? 0n })).toBe(false);
  });
});
