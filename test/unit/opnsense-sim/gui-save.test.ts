// The GUI writer: Config.php's save under flock on config.xml, the backup named by the float
// epoch holding what was saved, <revision> rewritten, system/backupcount honoured, and a save
// that waits for a lock someone else holds.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addAlias, setPath, setRuleDescription } from "../../sim/opnsense/edits.ts";
import { guiSave, phpFloat } from "../../sim/opnsense/gui-save.ts";
import { at, parseXml, text } from "../../sim/opnsense/xml.ts";
import { type TmpBox, tmpBox } from "./helpers.ts";

let box: TmpBox;
beforeEach(() => {
  box = tmpBox();
});
afterEach(() => box.cleanup());

const backups = () => readdirSync(join(box.dir, "conf", "backup")).sort();

describe("GUI save", () => {
  it("names the backup config-<float epoch>.xml and rewrites the revision", async () => {
    const times = [1764464411.1234, 1764464411.1287];
    const res = await guiSave(
      box.paths.config,
      (r) => setRuleDescription(r, 1, "SSH from the NOC (edited)"),
      {
        now: () => times.shift() ?? 0,
        username: "root@198.51.100.129",
        requestUri: "/firewall_rules_edit.php",
      },
    );
    expect(res.backup).toBe(join(box.dir, "conf", "backup", "config-1764464411.1234.xml"));
    expect(res.revisionTime).toBe("1764464411.13");
    const saved = readFileSync(box.paths.config, "utf8");
    // The backup holds the configuration just saved (Config::save backs up after writing).
    expect(readFileSync(res.backup, "utf8")).toBe(saved);
    const root = parseXml(saved);
    const rev = at(root, "revision");
    expect(root.children.at(-1)?.name).toBe("revision");
    expect(text(rev, "username")).toBe("root@198.51.100.129");
    expect(text(rev, "description")).toBe("/firewall_rules_edit.php made changes");
    expect(text(rev, "time")).toBe("1764464411.13");
    expect(saved).toContain("<descr>SSH from the NOC (edited)</descr>");
    expect(statSync(box.paths.config).mode & 0o777).toBe(0o640);
    expect(statSync(join(box.dir, "conf", "backup")).mode & 0o777).toBe(0o750);
  });

  it("formats the epoch as PHP does: 14 significant digits, no trailing zeros", () => {
    expect(phpFloat(1764464411.123456)).toBe("1764464411.1235");
    expect(phpFloat(1764464411.1)).toBe("1764464411.1");
    expect(phpFloat(1764464411.00001)).toBe("1764464411");
  });

  it("keeps a second <revision> in place, and keeps at most system/backupcount backups", async () => {
    let t = 1764464400;
    const now = () => (t += 1);
    await guiSave(box.paths.config, (r) => setPath(r, "system/backupcount", "3"), { now });
    for (let i = 0; i < 4; i++)
      await guiSave(box.paths.config, (r) => addAlias(r, `a${i}`, "host", ["192.0.2.1"]), { now });
    expect(backups()).toEqual(["config-1764464405.xml", "config-1764464407.xml", "config-1764464409.xml"]);
    const root = parseXml(readFileSync(box.paths.config, "utf8"));
    expect(root.children.filter((c) => c.name === "revision")).toHaveLength(1);
    const aliases = at(root, "OPNsense/Firewall/Alias/aliases")?.children ?? [];
    expect(aliases.map((a) => text(a, "name"))).toEqual(["noc_hosts", "a0", "a1", "a2", "a3"]);
    expect(aliases[1]?.attrs[0]?.[1]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("waits for the flock another process holds on config.xml", async () => {
    const holder = spawn("flock", ["-x", box.paths.config, "sleep", "0.6"]);
    await new Promise((r) => setTimeout(r, 150));
    const t0 = Date.now();
    await guiSave(box.paths.config, (r) => setRuleDescription(r, 2, "after the lock"));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    holder.kill();
  });
});
