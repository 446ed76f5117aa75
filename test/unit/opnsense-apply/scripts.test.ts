// The OPNsense run's device-side scripts, run in dash on files of a temporary directory: the
// device's secrets put back in place of their tokens (one on several lines too), generated keys
// from the key directory, <revision> rewritten or added, the write under the config lock only
// when nobody saved since the read (else nothing written), with a backup named as OPNsense names
// them; the restore only when this run wrote, keeping a later save in the backups.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fillSecretsAwk } from "../../../reconciler/drivers/opnsense/apply/fill-secrets.ts";
import {
  opnsenseHelpers,
  restoreConfigScript,
  writeConfigScript,
} from "../../../reconciler/drivers/opnsense/apply/scripts.ts";
import { redactConfig } from "../../../reconciler/drivers/opnsense/secrets.ts";
import { dash, dashSyntax } from "../kit/dash.ts";

const LIVE = `<?xml version="1.0"?>
<opnsense>
  <revision>
    <username>root@192.0.2.10</username>
    <time>1700000000.12</time>
    <description>/firewall_rules.php made changes</description>
  </revision>
  <system><user><name>root</name><password>$2y$11$abc/def</password></user></system>
  <OPNsense>
    <wireguard>
      <server>
        <servers>
          <server uuid="11111111-1111-4111-8111-111111111111">
            <name>core</name>
            <privkey>cHJpdmF0ZS1rZXktb25l+/=</privkey>
            <psk/>
            <prv>line one
line two</prv>
          </server>
        </servers>
      </server>
    </wireguard>
  </OPNsense>
</opnsense>
`;

interface Box {
  dir: string;
  run: string;
  config: string;
  keys: string;
  backups: string;
  bin: string;
}

function box(): Box {
  const dir = mkdtempSync(join(tmpdir(), "opn-apply-"));
  const b = {
    dir,
    run: join(dir, "run"),
    config: join(dir, "conf", "config.xml"),
    keys: join(dir, "keys"),
    backups: join(dir, "backup"),
    bin: join(dir, "bin"),
  };
  for (const d of [b.run, join(b.run, "candidate", "0"), join(dir, "conf"), b.keys, b.bin])
    mkdirSync(d, { recursive: true });
  writeFileSync(b.config, LIVE);
  writeFileSync(join(b.run, "fill-secrets.awk"), fillSecretsAwk());
  // FreeBSD's lockf(1) -k -t N FILE CMD...: here the command runs (the lock itself is the box's).
  writeFileSync(join(b.bin, "lockf"), '#!/bin/sh\nshift 4\nexec "$@"\n', { mode: 0o755 });
  writeFileSync(
    join(b.run, "lib.sh"),
    [
      `RUN=${b.run}`,
      "ERRORS=0",
      `fail() { ERRORS=$((ERRORS + 1)); }`,
      ...opnsenseHelpers("r1", { config: b.config, keyDir: b.keys, backupDir: b.backups }),
      "",
    ].join("\n"),
  );
  return b;
}

const sh = (b: Box, script: string) =>
  dash(script, { RUN: b.run, PATH: `${b.bin}:${process.env.PATH ?? "/usr/bin:/bin"}` });

describe("the OPNsense run's scripts", () => {
  it("are POSIX sh", () => {
    const b = box();
    expect(dashSyntax(readFileSync(join(b.run, "lib.sh"), "utf8"))).toBe("ok");
    expect(dashSyntax(writeConfigScript({ index: 0, path: "/conf/config.xml", content: "" }))).toBe("ok");
    expect(dashSyntax(restoreConfigScript())).toBe("ok");
  });

  it("fill_secrets puts every device secret back, one on two lines too", () => {
    const b = box();
    const candidate = redactConfig(LIVE).replace("<name>core</name>", "<name>core-fw</name>");
    expect(candidate).toContain("@device-secret:");
    writeFileSync(join(b.run, "cand.xml"), candidate);
    const r = sh(b, `. "$RUN/lib.sh"; fill_secrets "$RUN/cand.xml" "$RUN/out.xml" 2>&1 && echo ok`);
    expect(r.stdout).toBe("ok\n");
    expect(readFileSync(join(b.run, "out.xml"), "utf8")).toBe(
      LIVE.replace("<name>core</name>", "<name>core-fw</name>"),
    );
  });

  it("fill_secrets refuses a token the live file does not have, and fills generated keys", () => {
    const b = box();
    writeFileSync(join(b.run, "bad.xml"), "<x>@device-secret:99@</x>\n");
    expect(sh(b, `. "$RUN/lib.sh"; fill_secrets "$RUN/bad.xml" "$RUN/o.xml"; echo "rc=$?"`).stdout).toBe(
      "rc=3\n",
    );
    writeFileSync(join(b.keys, "wg0.key"), "cHJpdmF0ZQ==\n");
    writeFileSync(join(b.keys, "wg0.pub"), "cHVibGlj\n");
    writeFileSync(
      join(b.run, "new.xml"),
      "<privkey>@device-key:wg0@</privkey><pubkey>@device-pubkey:wg0@</pubkey>\n",
    );
    expect(sh(b, `. "$RUN/lib.sh"; fill_secrets "$RUN/new.xml" "$RUN/o.xml"; echo "rc=$?"`).stdout).toBe(
      "rc=0\n",
    );
    expect(readFileSync(join(b.run, "o.xml"), "utf8")).toBe(
      "<privkey>cHJpdmF0ZQ==</privkey><pubkey>cHVibGlj</pubkey>\n",
    );
    writeFileSync(join(b.run, "none.xml"), "<privkey>@device-key:wg7@</privkey>\n");
    expect(
      sh(b, `. "$RUN/lib.sh"; fill_secrets "$RUN/none.xml" "$RUN/o.xml" 2>&1; echo "rc=$?"`).stdout,
    ).toMatch(/run reconciler keys first[\s\S]*rc=3/);
  });

  it("stamp_revision rewrites the revision, or appends one where there is none", () => {
    const b = box();
    const r = sh(
      b,
      `. "$RUN/lib.sh"; stamp_revision ${JSON.stringify(b.config)} "$RUN/s.xml" && cat "$RUN/s.xml"`,
    );
    expect(r.stdout).toMatch(
      /<username>reconciler<\/username>\n {4}<time>\d+\.00<\/time>\n {4}<description>reconciler run r1<\/description>/,
    );
    expect(r.stdout.replace(/<revision>[\s\S]*<\/revision>/, "")).toBe(
      LIVE.replace(/<revision>[\s\S]*<\/revision>/, ""),
    );
    writeFileSync(join(b.run, "fresh.xml"), '<?xml version="1.0"?>\n<opnsense>\n  <system/>\n</opnsense>\n');
    const f = sh(b, `. "$RUN/lib.sh"; stamp_revision "$RUN/fresh.xml" "$RUN/f.xml" && cat "$RUN/f.xml"`);
    // Appended last, as Config.php does when there is none.
    expect(f.stdout).toMatch(
      /^<\?xml version="1.0"\?>\n<opnsense>\n {2}<system\/>\n {2}<revision>\n {4}<username>reconciler<\/username>\n/,
    );
    expect(f.stdout).toMatch(/ {2}<\/revision>\n<\/opnsense>\n$/);
  });

  it("write-config: written with a backup when the file is the one read; nothing written when someone saved", () => {
    const b = box();
    const file = { index: 0, path: "/conf/config.xml", content: "" };
    writeFileSync(join(b.run, "write-config.sh"), writeConfigScript(file, b.config));
    writeFileSync(join(b.run, "expected.xml"), redactConfig(LIVE));
    const wanted = redactConfig(LIVE).replace("<name>core</name>", "<name>core-fw</name>");
    writeFileSync(join(b.run, "candidate", "0", "config.xml"), wanted);
    const ok = sh(b, `. "$RUN/lib.sh"; with_config_lock sh "$RUN/write-config.sh"; echo "rc=$?"`);
    expect(ok.stdout).toBe("rc=0\n");
    const written = readFileSync(b.config, "utf8");
    expect(written).toContain("<name>core-fw</name>");
    expect(written).toContain("<privkey>cHJpdmF0ZS1rZXktb25l+/=</privkey>");
    expect(written).toContain("<description>reconciler run r1</description>");
    const backups = readdirSync(b.backups);
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^config-\d+\.\d{4}\.xml$/);
    expect(readFileSync(join(b.backups, backups[0] as string), "utf8")).toBe(LIVE);

    // A GUI save after the read: the compare fails, nothing is written, no backup made.
    const c = box();
    writeFileSync(join(c.run, "write-config.sh"), writeConfigScript(file, c.config));
    writeFileSync(join(c.run, "expected.xml"), redactConfig(LIVE));
    writeFileSync(join(c.run, "candidate", "0", "config.xml"), wanted);
    const gui = LIVE.replace("/firewall_rules.php", "/interfaces.php").replace(
      "<system>",
      "<system><hostname>fw</hostname>",
    );
    writeFileSync(c.config, gui);
    const refused = sh(c, `. "$RUN/lib.sh"; with_config_lock sh "$RUN/write-config.sh" 2>&1; echo "rc=$?"`);
    expect(refused.stdout).toMatch(/saved by someone else since it was read[\s\S]*rc=5/);
    expect(readFileSync(c.config, "utf8")).toBe(gui);
  });

  it("restore-config: only what this run wrote is undone; a later save stays in the backups", () => {
    const b = box();
    writeFileSync(join(b.run, "restore-config.sh"), restoreConfigScript(b.config));
    mkdirSync(join(b.run, "snapshot"), { recursive: true });
    writeFileSync(join(b.run, "snapshot", "0"), LIVE);
    // Nothing written by the run: the file stays as it is.
    writeFileSync(b.config, "<opnsense><gui/></opnsense>\n");
    expect(sh(b, `. "$RUN/lib.sh"; sh "$RUN/restore-config.sh"`).stdout).toMatch(/wrote nothing/);
    expect(readFileSync(b.config, "utf8")).toBe("<opnsense><gui/></opnsense>\n");
    // Written, then saved again by someone: restored, and their save kept as a backup.
    writeFileSync(join(b.run, "written"), "");
    writeFileSync(join(b.run, "candidate", "final.xml"), "<opnsense><ours/></opnsense>\n");
    const r = sh(b, `. "$RUN/lib.sh"; sh "$RUN/restore-config.sh" 2>&1; echo "rc=$?"`);
    expect(r.stdout).toMatch(/saved by someone else after this run's commit[\s\S]*rc=0/);
    expect(readFileSync(b.config, "utf8")).toBe(LIVE);
    const kept = readdirSync(b.backups).map((f) => readFileSync(join(b.backups, f), "utf8"));
    expect(kept).toEqual(["<opnsense><gui/></opnsense>\n"]);
  });
});
