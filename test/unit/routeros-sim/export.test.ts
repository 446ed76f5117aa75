// /export: header (both date styles), compact vs terse vs verbose, wrapping, the dot shorthand,
// defaults omitted, sensitive values hidden, CRLF when written to a file.
import { describe, expect, it } from "vitest";
import { Engine } from "../../sim/routeros/engine.ts";
import { headerDate } from "../../sim/routeros/export.ts";
import { renderCommand } from "../../sim/routeros/wrap.ts";

const NOW = new Date("2026-03-09T07:05:03Z");
const ok = (e: Engine, cmd: string) => {
  const r = e.run(cmd);
  if (!r.ok) throw new Error(`${cmd}: ${r.error}`);
  return r.output;
};
const KEY = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const PEER = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

function tower(
  version = "7.16",
  extra: { model?: string; serial?: string; softwareId?: string } = {},
): Engine {
  const e = new Engine({ version, now: () => NOW, ...extra });
  ok(
    e,
    [
      "/interface bridge add name=loopback",
      `/interface wireguard add name=wg-core listen-port=51820 private-key="${KEY}" comment="to core-1"`,
      `/interface wireguard peers add interface=wg-core public-key="${PEER}" endpoint-address=203.0.113.10 endpoint-port=51820 allowed-address=192.0.2.0/31,198.51.100.0/24,2001:db8:100::/48 persistent-keepalive=25s`,
      "/ip address add address=192.0.2.1/31 interface=wg-core",
      "/ip address add address=198.51.100.1/32 interface=loopback",
      "/ipv6 address add address=2001:db8::1/64 interface=ether1 advertise=no",
      "/routing ospf instance add name=v2 router-id=198.51.100.1",
      "/routing ospf area add name=backbone instance=v2",
      "/routing ospf interface-template add area=backbone interfaces=wg-core cost=10 type=ptp hello-interval=5s dead-interval=20s",
      "/routing ospf interface-template add area=backbone interfaces=loopback passive",
      "/routing bgp connection add name=core local.address=198.51.100.1 .role=ibgp remote.address=198.51.100.2 .as=64500 as=64500 templates=default",
      '/ip firewall filter add chain=input action=accept protocol=tcp dst-port=22 src-address=203.0.113.0/24 comment="reconciler: ssh from management"',
      "/ip route add dst-address=203.0.113.0/24 gateway=192.0.2.0 distance=5",
      "/system identity set name=tower-1",
    ].join("\n"),
  );
  return e;
}

describe("/export", () => {
  it("writes the header with the ISO date from 7.10, mon/dd/yyyy before, and model/serial lines", () => {
    expect(headerDate(NOW, "7.10")).toBe("2026-03-09 07:05:03");
    expect(headerDate(NOW, "7.9")).toBe("mar/09/2026 07:05:03");
    expect(headerDate(NOW, "6.49.7")).toBe("mar/09/2026 07:05:03");
    expect(ok(tower("7.8"), "/export").split("\n").slice(0, 3)).toEqual([
      "# mar/09/2026 07:05:03 by RouterOS 7.8",
      "# software id = ",
      "#",
    ]);
    const rb = tower("7.18.2", {
      model: "CCR2004-1G-12S+2XS",
      serial: "HFC00ABCDEF",
      softwareId: "AB12-CD34",
    });
    expect(ok(rb, "/export").split("\n").slice(0, 5)).toEqual([
      "# 2026-03-09 07:05:03 by RouterOS 7.18.2",
      "# software id = AB12-CD34",
      "#",
      "# model = CCR2004-1G-12S+2XS",
      "# serial number = HFC00ABCDEF",
    ]);
  });

  it("compact: menus in RouterOS's order, keys sorted, defaults omitted, disabled=no where v7 writes it, private key hidden", () => {
    expect(ok(tower(), "/export")).toBe(
      [
        "# 2026-03-09 07:05:03 by RouterOS 7.16",
        "# software id = ",
        "#",
        "/interface bridge",
        "add name=loopback",
        "/interface wireguard",
        'add comment="to core-1" listen-port=51820 name=wg-core',
        "/routing ospf instance",
        "add disabled=no name=v2 router-id=198.51.100.1",
        "/routing ospf area",
        "add disabled=no instance=v2 name=backbone",
        "/interface wireguard peers",
        "add allowed-address=192.0.2.0/31,198.51.100.0/24,2001:db8:100::/48 \\",
        "    endpoint-address=203.0.113.10 endpoint-port=51820 interface=wg-core \\",
        "    persistent-keepalive=25s public-key=\\",
        `    "${PEER}"`,
        "/ip address",
        "add address=192.0.2.1/31 interface=wg-core network=192.0.2.0",
        "add address=198.51.100.1 interface=loopback network=198.51.100.1",
        "/ip firewall filter",
        'add action=accept chain=input comment="reconciler: ssh from management" \\',
        "    dst-port=22 protocol=tcp src-address=203.0.113.0/24",
        "/ip route",
        "add disabled=no distance=5 dst-address=203.0.113.0/24 gateway=192.0.2.0",
        "/ipv6 address",
        "add address=2001:db8::1/64 advertise=no interface=ether1",
        "/routing bgp connection",
        "add as=64500 local.address=198.51.100.1 .role=ibgp name=core remote.address=\\",
        "    198.51.100.2 .as=64500 templates=default",
        "/routing ospf interface-template",
        "add area=backbone cost=10 dead-interval=20s disabled=no hello-interval=5s \\",
        "    interfaces=wg-core type=ptp",
        "add area=backbone disabled=no interfaces=loopback passive",
        "/system identity",
        "set name=tower-1",
        "",
      ].join("\n"),
    );
  });

  it("show-sensitive adds the private key; terse puts the path on every line and never wraps", () => {
    const e = tower();
    expect(ok(e, "/export")).not.toContain("private-key");
    expect(ok(e, "/export show-sensitive")).toContain(`private-key=\\\n    "${KEY}"`);
    const terse = ok(e, "/export terse show-sensitive").split("\n");
    expect(terse).toContain(
      `/interface wireguard add comment="to core-1" listen-port=51820 name=wg-core private-key="${KEY}"`,
    );
    expect(terse.every((l) => !l.endsWith("\\"))).toBe(true);
    expect(terse).toContain(
      "/routing bgp connection add as=64500 local.address=198.51.100.1 .role=ibgp name=core remote.address=198.51.100.2 .as=64500 templates=default",
    );
  });

  it("verbose prints defaults too; a section export only its menu", () => {
    const e = tower();
    expect(ok(e, "/ip address export verbose")).toContain(
      "add address=192.0.2.1/31 disabled=no interface=wg-core network=192.0.2.0\n",
    );
    const section = ok(e, "/routing ospf export");
    expect(section).toContain("/routing ospf instance\n");
    expect(section).toContain("/routing ospf interface-template\n");
    expect(section).not.toContain("/ip address");
  });

  it("writes CRLF to a file (/export file=x → x.rsc in /file)", () => {
    const e = tower();
    ok(e, "/export file=backup");
    const text = e.readFile("backup.rsc") ?? "";
    expect(text.startsWith("# 2026-03-09 07:05:03 by RouterOS 7.16\r\n# software id = \r\n#\r\n")).toBe(true);
    expect(text.split("\r\n").join("\n")).toBe(ok(e, "/export"));
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(ok(e, "/file print terse")).toMatch(
      /^0 name=backup\.rsc type=script size=\d+ creation-time=2026-03-09 07:05:03/,
    );
  });

  it("wraps at RouterOS's width: key= and its value split, and a long quoted value cut anywhere", () => {
    const long = `"${"x".repeat(100)}"`;
    expect(
      renderCommand(
        "add",
        [
          { key: "comment", value: long },
          { key: "name", value: "a" },
        ],
        true,
      ),
    ).toEqual([`add comment="${"x".repeat(65)}\\`, `    ${"x".repeat(35)}" name=a`]);
    expect(
      renderCommand(
        "add",
        [
          { key: "a".repeat(60), value: "b" },
          { key: "name", value: "bridge" },
          { key: "mtu", value: "1500" },
        ],
        true,
      ),
    ).toEqual([`add ${"a".repeat(60)}=b name=\\`, "    bridge mtu=1500"]);
    // a value longer than a line is quoted even when it needs no quotes, so that it can be cut
    const e = new Engine({ now: () => NOW });
    const list = Array.from({ length: 8 }, (_, i) => `198.51.100.${i * 16}/28`).join(",");
    ok(e, `/interface wireguard add name=wg0 listen-port=13231`);
    ok(e, `/interface wireguard peers add interface=wg0 public-key="${PEER}" allowed-address=${list}`);
    expect(ok(e, "/interface wireguard peers export").split("\n").slice(4)).toEqual([
      `add allowed-address="${list.slice(0, 57)}\\`,
      `    ${list.slice(57, 131)}\\`,
      `    ${list.slice(131)}" interface=wg0 public-key=\\`,
      `    "${PEER}"`,
      "",
    ]);
  });

  it("breaks a script's source before every \\n, in terse too", () => {
    const e = new Engine({ now: () => NOW });
    ok(e, '/system script add name=hello source=":log info \\"one\\"\\r\\n:log info \\"two\\""');
    expect(ok(e, "/system script export terse").split("\n").slice(3, 5)).toEqual([
      '/system script add dont-require-permissions=no name=hello owner=admin policy=ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon source=":log info \\"one\\"\\r\\',
      '    \\n:log info \\"two\\""',
    ]);
  });
});

describe("scheduler dates follow the version", () => {
  it("accepts mar/01/2018 and 2018-03-01; exports mon/dd/yyyy before 7.10 and ISO from 7.10", () => {
    for (const [version, written] of [
      ["7.8", "start-date=mar/01/2026"],
      ["7.16", "start-date=2026-03-01"],
    ] as const) {
      const e = new Engine({ version, now: () => NOW });
      ok(
        e,
        '/system scheduler add name=a interval=1d on-event=":log info a" start-date=mar/01/2026 start-time=08:00:00',
      );
      ok(
        e,
        '/system scheduler add name=b interval=1d on-event=":log info b" start-date=2026-03-01 start-time=08:00:00',
      );
      const text = ok(e, "/system scheduler export terse");
      expect(text.split(written).length - 1).toBe(2);
    }
  });
});

describe("notes on items whose interface is not running", () => {
  it("writes `# X not ready` above the rule; in terse, a lone path line, the note, then a bare add", () => {
    const e = new Engine({ now: () => NOW });
    ok(e, "/interface wireguard add name=wg-down listen-port=13231 disabled=yes");
    ok(e, "/ip firewall filter add chain=forward action=accept out-interface=wg-down");
    ok(e, "/ip firewall filter add chain=forward action=drop");
    expect(ok(e, "/ip firewall filter export terse").split("\n").slice(3)).toEqual([
      "/ip firewall filter",
      "# wg-down not ready",
      "add action=accept chain=forward out-interface=wg-down",
      "/ip firewall filter add action=drop chain=forward",
      "",
    ]);
    expect(ok(e, "/ip firewall filter export").split("\n").slice(3)).toEqual([
      "/ip firewall filter",
      "# wg-down not ready",
      "add action=accept chain=forward out-interface=wg-down",
      "add action=drop chain=forward",
      "",
    ]);
    // and it imports back: the note is a comment
    e.run("/export file=x");
    const b = new Engine({ now: () => NOW });
    b.writeFile("x.rsc", e.readFile("x.rsc") ?? "");
    expect(b.run("/import x.rsc").error).toBeUndefined();
    expect(b.run("/ip firewall filter print count-only").output).toBe("2\n");
  });
});
