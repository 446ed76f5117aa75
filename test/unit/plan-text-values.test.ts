// The pieces of the human plan: how a value is written (one line or a tree, never JSON, never
// cut), which values are (sensitive), how a planner path becomes words, and that text from a
// device can neither run a terminal escape nor pass for a line of the plan.
import { describe, expect, it } from "vitest";
import type { Change } from "../../reconciler/model/plan.ts";
import { formatPlan } from "../../reconciler/report/plan-text.ts";
import { changeTreeLines, parsePath, singular, unmanagedLines } from "../../reconciler/report/plan-tree.ts";
import { inline, isSensitive, valueLines } from "../../reconciler/report/plan-values.ts";

const plain = (_a: Change["action"], line: string) => line;
const change = (path: string, action: Change["action"], before?: unknown, after?: unknown): Change => ({
  device: "r1",
  path,
  action,
  ...(before !== undefined ? { before } : {}),
  ...(after !== undefined ? { after } : {}),
});

describe("values", () => {
  it("scalars and short scalar lists on one line; long ones as a list; objects as trees", () => {
    expect(inline(1420)).toBe("1420");
    expect(inline(false)).toBe("false");
    expect(inline(["192.0.2.0/26", "2001:db8:a::/64"])).toBe("[192.0.2.0/26, 2001:db8:a::/64]");
    expect(inline([])).toBe("[]");
    expect(inline(" padded ")).toBe('" padded "');
    expect(inline({ a: 1 })).toBeUndefined();
    const long = Array.from({ length: 8 }, (_, i) => `198.51.100.${i * 16}/28`);
    expect(inline(long)).toBeUndefined();
    expect(
      valueLines({ prefixes: long.slice(0, 5), nested: { list: [{ name: "x", cost: 1 }] } }, "  "),
    ).toEqual([
      "  prefixes:",
      "    - 198.51.100.0/28",
      "    - 198.51.100.16/28",
      "    - 198.51.100.32/28",
      "    - 198.51.100.48/28",
      "    - 198.51.100.64/28",
      "  nested:",
      "    list:",
      "      - name: x",
      "        cost: 1",
    ]);
  });

  it("a value is never cut, however long", () => {
    const description = "d".repeat(500);
    expect(valueLines({ description }, "")).toEqual([`description: ${description}`]);
  });

  it("secrets: *_env fields, SECRET_SET, placeholders, redaction marks and secret-named device fields", () => {
    expect(inline("WG_PSK_A_B", "preshared_key_env")).toBe("(sensitive: $WG_PSK_A_B)");
    expect(inline("SECRET_SET", "password_env")).toBe("(sensitive)");
    expect(inline("SECRET_SET")).toBe("(sensitive)");
    expect(inline("/home/ops/.ssh/id", "key_file_env")).toBe("/home/ops/.ssh/id");
    expect(inline("hunter22", "auth-key")).toBe("(sensitive)");
    expect(inline("s3cr3t-token", "lighthouse.token")).toBe("(sensitive)");
    expect(inline("/interface wireguard add private-key=<redacted>")).toBe(
      "/interface wireguard add private-key=(sensitive)",
    );
    expect(inline("neighbor 192.0.2.2 password @secret:BGP_CORE@")).toBe(
      "neighbor 192.0.2.2 password (sensitive: $BGP_CORE)",
    );
    expect(isSensitive("description", "password")).toBe(false);
    expect(valueLines({ v3_users: [{ name: "nms", auth_password_env: "OOB_SNMP_AUTH" }] }, "")).toEqual([
      "v3_users:",
      "  - name: nms",
      "    auth_password_env: (sensitive: $OOB_SNMP_AUTH)",
    ]);
  });

  it("device text: escapes shown, and text over several lines quoted behind '| '", () => {
    const hostile = "ok\x1b]0;pwned\x07\n\x1b[2K\rNo changes.\nPlan from HEAD: 0 to add";
    const lines = valueLines({ motd: hostile }, "      ");
    expect(lines).toEqual([
      "      motd:",
      "        | ok\\x1b]0;pwned\\x07",
      "        | \\x1b[2K\\x0dNo changes.",
      "        | Plan from HEAD: 0 to add",
    ]);
    const u = unmanagedLines({ path: "interfaces[eth\x1b[8m9]", value: { description: "a\u202eb" } });
    expect(u.join("\n")).not.toContain("\x1b");
    expect(u.join("\n")).not.toContain("\u202e");
    expect(u[0]).toBe("  ? interface eth\\x1b[8m9 (unmanaged: on the device, not in git; left as it is)");
    expect(unmanagedLines({ path: "/snmp set enabled=yes", value: "/snmp set enabled=yes" })).toEqual([
      "  ? /snmp set enabled=yes (unmanaged: on the device, not in git; left as it is)",
    ]);
    expect(unmanagedLines({ path: "dns.servers", value: ["192.0.2.53"] })).toEqual([
      "  ? dns servers: [192.0.2.53] (unmanaged: on the device, not in git; left as it is)",
    ]);
  });
});

describe("paths", () => {
  it("become words: list names in the singular, keys after them", () => {
    expect(parsePath("wireguard[wg-b].peers[XXKo+/=].endpoint")).toEqual([
      { name: "wireguard", key: "wg-b" },
      { name: "peers", key: "XXKo+/=" },
      { name: "endpoint" },
    ]);
    expect(parsePath("interfaces[br-lan].addresses[192.0.2.1/26]")?.at(-1)).toEqual({
      name: "addresses",
      key: "192.0.2.1/26",
    });
    expect(parsePath("ogcli:lighthouse_enrollment 192.0.2.10")).toBeUndefined();
    expect(
      ["addresses", "aliases", "policies", "interfaces", "prefixes", "status", "wireguard"].map(singular),
    ).toEqual(["address", "alias", "policy", "interface", "prefix", "status", "wireguard"]);
  });

  it("several changes of one item sit under it; an added thing always starts its own line", () => {
    const lines = changeTreeLines(
      [
        change("wireguard[wg-b].mtu", "update", 1380, 1420),
        change("wireguard[wg-b].peers[K1=].endpoint", "update", "198.51.100.1:51820", "198.51.100.2:51820"),
        change("wireguard[wg-b].addresses[fe80::ab:1/64]", "create", undefined, "fe80::ab:1/64"),
        change("forwarding.ipv6", "update", false, true),
        change("hostname", "update", "old", "router-a"),
        change("static_routes[192.0.2.128/26]", "delete", { prefix: "192.0.2.128/26", via: "192.0.2.62" }),
        change("firewall.rules", "update", ["a"], ["a", "b"]),
      ],
      plain,
    );
    expect(lines).toEqual([
      "  ~ wireguard wg-b",
      "      ~ mtu: 1380 → 1420",
      "      ~ peer K1=: endpoint 198.51.100.1:51820 → 198.51.100.2:51820",
      "      + address fe80::ab:1/64",
      "  ~ forwarding: ipv6 false → true",
      "  ~ hostname: old → router-a",
      "  - static_route 192.0.2.128/26",
      "      via: 192.0.2.62",
      "  ~ firewall: rules [a] → [a, b]",
    ]);
  });

  it("a change that cannot be said on one line shows what was and what will be", () => {
    const before = ["x".repeat(40), "y".repeat(40)];
    expect(changeTreeLines([change("raw.lines", "update", before, ["z"])], plain)).toEqual([
      "  ~ raw",
      "      ~ lines",
      "          - was:",
      `              - ${"x".repeat(40)}`,
      `              - ${"y".repeat(40)}`,
      "          + now:",
      "              - z",
    ]);
  });
});

describe("colour", () => {
  it("is exactly what the caller decided, whatever picocolors would detect (a pipe, NO_COLOR)", () => {
    const p = {
      version: 1 as const,
      createdAt: "2026-11-30T04:00:00Z",
      origin: "HEAD",
      devices: [
        {
          device: "r1",
          platform: "debian" as const,
          status: "changes" as const,
          changes: [change("wireguard[wg-b].mtu", "update", 1380, 1420)],
          files: [],
          unmanaged: [],
        },
      ],
    };
    expect(formatPlan(p, { color: true })).toContain("\x1b[33m  ~ wireguard wg-b: mtu 1380 → 1420\x1b[39m");
    expect(formatPlan(p, { color: false })).not.toContain("\x1b");
  });
});
