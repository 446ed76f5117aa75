// /import: runs a file; no transaction — the first error stops it with the earlier lines applied.
import { describe, expect, it } from "vitest";
import { Engine } from "../../sim/routeros/engine.ts";

const NOW = new Date("2026-03-09T07:05:03Z");

describe("/import", () => {
  it("applies an export of itself onto a blank router (round trip through a CRLF file)", () => {
    const a = new Engine({ now: () => NOW });
    a.run(
      [
        '/interface wireguard add name=wg0 listen-port=13231 comment="a long comment that will certainly need the line to be continued"',
        "/ip address add address=192.0.2.1/31 interface=wg0",
        "/routing ospf instance add name=v2 router-id=192.0.2.1",
        "/routing ospf area add name=backbone instance=v2",
        "/routing bgp connection add name=rr local.role=ibgp remote.address=192.0.2.9 .as=64500 templates=default",
      ].join("\n"),
    );
    a.run("/export file=cfg");
    const b = new Engine({ now: () => NOW });
    b.writeFile("cfg.rsc", a.readFile("cfg.rsc") ?? "");
    const r = b.run("/import file-name=cfg.rsc");
    expect(r.error).toBeUndefined();
    expect(r.output).toContain("Script file loaded and executed successfully");
    const strip = (s: string) => s.replace(/^\/interface wireguard\n.*\n/m, "");
    // the private key is not in a compact export, so the imported wg0 has a new one: compare the rest
    expect(strip(b.run("/export").output)).toBe(strip(a.run("/export").output));
  });

  it("stops at the first error; the lines before it stay applied, the ones after never run", () => {
    const e = new Engine({ now: () => NOW });
    e.writeFile(
      "bad.rsc",
      [
        "# a hand-written file",
        "/interface bridge",
        "add name=lo0",
        "/ip address",
        "add address=192.0.2.1/32 interface=lo0",
        "add address=198.51.100.1/24 interface=ether9",
        "add address=203.0.113.1/24 interface=lo0",
        "",
      ].join("\r\n"),
    );
    const r = e.run("/import bad.rsc");
    expect(r.ok).toBe(false);
    expect(r.error).toBe("input does not match any value of interface");
    expect(e.run("/ip address print terse").output).toBe(
      "0 address=192.0.2.1/32 network=192.0.2.1 interface=lo0\n",
    );
    expect(e.run(":put [/interface bridge find]").output).toBe("*3\n");
  });

  it("reports a syntax error with its line and column in the file", () => {
    const e = new Engine({ now: () => NOW });
    e.writeFile("syntax.rsc", "/interface bridge\nadd name=br1\nadd name=br2 colour=blue\nadd name=br3\n");
    expect(e.run("/import file-name=syntax.rsc").error).toBe("expected end of command (line 3 column 14)");
    expect(e.run(":put [/interface bridge find]").output).toBe("*3\n");
  });

  it("refuses a missing file", () => {
    expect(new Engine().run("/import file-name=none.rsc").error).toBe("failure: no such file");
  });
});
