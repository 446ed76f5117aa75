// The managed-file functions of lib.sh, run in dash: install_file keeps an existing file's mode
// (POSIX tools only: FreeBSD has no chmod --reference), gives a new one the mode asked for, and
// leaves an identical file alone; restore_file puts the snapshot back or removes the file.
import { chmodSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileFunctions } from "../../../reconciler/drivers/kit/files.ts";
import { dash, dashSyntax } from "./dash.ts";

const lib = fileFunctions().join("\n");
const mode = (p: string) => statSync(p).mode & 0o777;

describe("lib.sh file functions", () => {
  it("is POSIX sh", () => {
    expect(dashSyntax(lib)).toBe("ok");
  });

  it("install_file: an existing file keeps its mode, a new one gets the mode asked for", () => {
    const d = mkdtempSync(join(tmpdir(), "kit-files-"));
    writeFileSync(join(d, "src"), "new bytes\n");
    writeFileSync(join(d, "dst"), "old\n");
    chmodSync(join(d, "dst"), 0o604);
    const r = dash(
      `${lib}\ninstall_file "$D/src" "$D/dst" 600 root:root && install_file "$D/src" "$D/fresh" 640 root:root && echo ok`,
      { D: d },
    );
    expect(r.stdout).toBe("ok\n");
    expect(readFileSync(join(d, "dst"), "utf8")).toBe("new bytes\n");
    expect(mode(join(d, "dst"))).toBe(0o604);
    expect(readFileSync(join(d, "fresh"), "utf8")).toBe("new bytes\n");
    expect(mode(join(d, "fresh"))).toBe(0o640);
  });

  it("install_file leaves an identical file untouched", () => {
    const d = mkdtempSync(join(tmpdir(), "kit-files-"));
    writeFileSync(join(d, "src"), "same\n");
    writeFileSync(join(d, "dst"), "same\n");
    utimesSync(join(d, "dst"), 1_000_000, 1_000_000);
    expect(dash(`${lib}\ninstall_file "$D/src" "$D/dst" 600 root:root && echo ok`, { D: d }).stdout).toBe(
      "ok\n",
    );
    expect(statSync(join(d, "dst")).mtimeMs).toBe(1_000_000_000);
  });

  it("restore_file: the snapshot's bytes and mode back, or the file removed when it was absent", () => {
    const d = mkdtempSync(join(tmpdir(), "kit-files-"));
    writeFileSync(join(d, "snap"), "before\n");
    chmodSync(join(d, "snap"), 0o600);
    writeFileSync(join(d, "dst"), "after\n");
    writeFileSync(join(d, "gone.absent"), "");
    writeFileSync(join(d, "made"), "created by the run\n");
    const r = dash(`${lib}\nrestore_file "$D/snap" "$D/dst" && restore_file "$D/gone" "$D/made" && echo ok`, {
      D: d,
    });
    expect(r.stdout).toBe("ok\n");
    expect(readFileSync(join(d, "dst"), "utf8")).toBe("before\n");
    expect(mode(join(d, "dst"))).toBe(0o600);
    expect(() => statSync(join(d, "made"))).toThrow();
  });
});
