// export stanzas, their round trip through restore, and import/restore stopping at an error with
// the earlier stanzas applied.
import { describe, expect, it } from "vitest";
import { parseStanzas } from "../../sim/opengear/stanzas.ts";
import { box, ok } from "./helpers.ts";

function configure(b: ReturnType<typeof box>) {
  ok(b.run(["update", "port", "ports-1", 'label="core-1"']));
  ok(
    b.run(
      ["update", "services/snmpd"],
      'enabled=true\nsecurity_name="nms"\nauth_password="auth-secret-1"\npriv_password="priv-secret-1"\n',
    ),
  );
  ok(b.run(["create", "wireguard"], 'name="wg-mgmt"\naddresses[0]="198.51.100.113/28"\n'));
}

describe("ogcli export", () => {
  it("one stanza per entity, `ogcli <verb> <path> << 'END'` … `END`, each command line once", () => {
    const b = box();
    configure(b);
    const text = ok(b.run(["export"]));
    const stanzas = parseStanzas(text);
    const cmds = stanzas.map((s) => s.argv.join(" ")).sort();
    expect(cmds).toEqual(
      [
        "replace conns",
        "replace groups",
        "replace physifs",
        "replace ports",
        "replace users",
        "replace wireguards",
        "update failover/settings",
        "update services/snmpd",
        "update system/hostname",
        "update system/admin_info",
      ].sort(),
    );
    expect(text).toMatch(/^ogcli update system\/hostname << 'END'\nhostname="oob-1"\nEND$/m);
    expect(text).toContain('ports[0].label="core-1"');
    // secrets obfuscated by default, masked or clear on request; never the read-only views
    expect(text).not.toContain("auth-secret-1");
    expect(text).not.toContain("failover/status");
    expect(ok(b.run(["--secrets", "mask", "export"]))).toContain('auth_password="********"');
    expect(ok(b.run(["--secrets=cleartext", "export"]))).toContain('auth_password="auth-secret-1"');
  });

  it("the same store exports the same bytes; order follows no rule a reader may rely on", () => {
    const b = box();
    expect(ok(b.run(["export"]))).toBe(ok(b.run(["export"])));
    const firsts = new Set<string>();
    for (let i = 1; i <= 16; i++) {
      ok(b.run(["update", "port", "ports-1", `label="l${i}"`]));
      firsts.add(ok(b.run(["export"])).split("\n")[0] as string);
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("restore needs no order but the one export keeps: groups, then the users naming them", () => {
    for (let i = 0; i < 12; i++) {
      const b = box();
      ok(b.run(["create", "group"], `groupname="g${i}"\n`));
      ok(b.run(["create", "user"], `username="u${i}"\ngroups[0]="g${i}"\n`));
      const text = ok(b.run(["export"]));
      expect(text.indexOf("replace groups")).toBeLessThan(text.indexOf("replace users"));
      const fresh = box();
      fresh.files.set("/tmp/x", text);
      ok(fresh.run(["restore", "/tmp/x"]));
      expect(ok(fresh.run(["get", "user", `u${i}`]))).toContain(`groups[0]="g${i}"`);
    }
  });

  it("export FILE writes the file and prints nothing; restore of it brings the box back exactly", () => {
    const b = box();
    configure(b);
    expect(b.run(["export", "/tmp/backup"]).stdout).toBe("");
    const saved = JSON.stringify(b.store.data);
    ok(b.run(["update", "port", "ports-1", 'label="changed"']));
    ok(b.run(["delete", "wireguard", "wg-mgmt"]));
    ok(b.run(["create", "user"], 'username="extra"\n'));
    expect(b.run(["restore", "/tmp/backup"]).stdout).toBe("restore successful\n");
    const after = JSON.parse(JSON.stringify(b.store.data));
    // the ids a restore re-creates are new (the API never reuses one); the content is the same
    for (const k of ["users", "wireguards"]) for (const it of after[k]) delete it.id;
    const want = JSON.parse(saved);
    for (const k of ["users", "wireguards"]) for (const it of want[k]) delete it.id;
    expect(after).toEqual(want);
  });
});

describe("ogcli import / restore are not atomic", () => {
  const file = [
    "ogcli update system/hostname << 'END'",
    'hostname="renamed"',
    "END",
    "",
    "ogcli update port ports-2 << 'END'",
    'baudrate="nope"',
    "END",
    "",
    "ogcli update port ports-3 << 'END'",
    'label="never"',
    "END",
  ].join("\n");

  it("stanzas before the error stay applied, the ones after never run, exit 1", () => {
    const b = box();
    b.files.set("/tmp/cfg", file);
    const r = b.run(["import", "/tmp/cfg"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Error: There was an error at line 5: Error: Invalid value 'nope' for field 'baudrate'\n",
    );
    expect(ok(b.run(["get", "system/hostname"]))).toBe('hostname="renamed"\n');
    expect(ok(b.run(["get", "port", "ports-3"]))).toContain('label="Port-3"');
  });

  it("an injected fault mid-restore leaves the same half-applied store", () => {
    const b = box();
    b.faults({ rules: [{ verb: "update", path: "port", message: "Error: Internal error" }] });
    b.files.set("/tmp/cfg", file.replace('baudrate="nope"', 'baudrate="19200"'));
    const r = b.run(["restore", "/tmp/cfg"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Internal error");
    expect(ok(b.run(["get", "system/hostname"]))).toBe('hostname="renamed"\n');
  });

  it("import from stdin, one-line commands too; import keeps what the file does not mention", () => {
    const b = box();
    ok(b.run(["create", "user"], 'username="keep"\n'));
    const r = b.run(
      ["import"],
      `ogcli update port ports-4 label=\\"console-4\\"\nogcli update port "ports-5" << 'END'\n  label="console-5"\nEND\n`,
    );
    expect(r).toEqual({ stdout: "import successful\n", stderr: "", code: 0 });
    expect(ok(b.run(["get", "port", "ports-4"]))).toContain('label="console-4"');
    expect(ok(b.run(["get", "port", "ports-5"]))).toContain('label="console-5"');
    expect(ok(b.run(["get", "user", "keep"]))).toContain('username="keep"');
  });

  it("diff FILE: what applying it would change, per stanza", () => {
    const b = box();
    b.files.set("/tmp/cfg", "ogcli update port ports-1 << 'END'\nlabel=\"core-1\"\nEND\n");
    const d = ok(b.run(["diff", "/tmp/cfg"]));
    expect(d).toBe('ogcli replace ports\n-ports[0].label="Port-1"\n+ports[0].label="core-1"\n');
    expect(ok(b.run(["get", "port", "ports-1"]))).toContain('label="Port-1"');
  });
});
