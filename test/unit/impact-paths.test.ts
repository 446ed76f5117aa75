// `reconciler paths` on the example repository: one path hop by hop, one router's table, a
// failure asked for with --without, JSON, and bad input refused with a usage error.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";

describe("reconciler paths", () => {
  it("follows one path, and another once a link is taken out", () => {
    const r = runCli(["paths", "router-a", "192.0.2.128/26"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      "router-a → 192.0.2.128/26: via router-b wg-b (ospf, cost 40) (through router-b, router-c)\n",
    );
    expect(r.code).toBe(0);
    const cut = runCli(["paths", "router-a", "192.0.2.130", "--without", "a-b"]);
    expect(cut.stdout).toBe(
      "router-a → 192.0.2.130/32: via router-c wg-c (ospf, cost 60) (through router-c)\n",
    );
  });

  it("prints a router's table, and JSON with what is not modelled", () => {
    const r = runCli(["paths", "tower-1"]);
    expect(r.stdout).toMatch(
      /^ {2}203\.0\.113\.128\/26 +ibgp +120 {2}via core-1 wg-core next hop 192\.0\.2\.197 from fw-1$/m,
    );
    const j = JSON.parse(runCli(["paths", "fw-1", "--json"]).stdout) as {
      tables: Record<string, { prefix: string; source: string }[]>;
      notModelled: string[];
    };
    expect(Object.keys(j.tables)).toEqual(["fw-1"]);
    expect(j.tables["fw-1"]?.find((x) => x.prefix === "192.0.2.0/24")?.source).toBe("bgp");
    expect(j.notModelled.join("\n")).toMatch(/eBGP/);
  });

  it("refuses an unknown device, link or destination", () => {
    expect(runCli(["paths", "router-z"])).toMatchObject({
      code: 64,
      stderr: expect.stringMatching(/unknown device: router-z/),
    });
    expect(runCli(["paths", "--without", "x-y"]).stderr).toMatch(/--without: no link or device named x-y/);
    expect(runCli(["paths", "router-a", "not-a-prefix"]).stderr).toMatch(
      /not a prefix or an address: not-a-prefix/,
    );
  });
});
