// Upload inside the script: the here-documents, run in dash, leave byte-identical files.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertRel, uploadLines, uploadTerminator } from "../../../reconciler/drivers/kit/upload.ts";
import { dash, dashSyntax } from "./dash.ts";

const NONCE = "0123456789abcdef0123";

describe("upload", () => {
  it("writes every file byte for byte, whatever it holds", () => {
    const run = mkdtempSync(join(tmpdir(), "kit-upload-"));
    const files = [
      { rel: "lib.sh", content: "#!/bin/sh\necho '$(not run)' `nor this`\n" },
      { rel: "candidate/0/bird.conf", content: `${uploadTerminator(NONCE)}\nEOF\n'\n` },
      { rel: "candidate/1/empty", content: "" },
      { rel: "candidate/2/wg-b.conf", content: "grüße ☃\r\nno newline at end" },
      { rel: "candidate/3/long", content: "x".repeat(10_000) },
    ];
    const script = ["_bad=0", ...uploadLines(files, NONCE), 'echo "bad=$_bad"'].join("\n");
    expect(dashSyntax(script)).toBe("ok");
    const { stdout, status } = dash(script, { RUN: run });
    expect({ stdout, status }).toEqual({ stdout: "bad=0\n", status: 0 });
    for (const f of files) expect(readFileSync(join(run, f.rel), "utf8")).toBe(f.content);
  });

  it("no base64 line can end the document early: the terminator holds a '-'", () => {
    expect(uploadTerminator(NONCE)).toMatch(/-/);
    // The first line picks the decoder, the second opens the document, the last closes it.
    const body = uploadLines([{ rel: "a", content: "y".repeat(500) }], NONCE).slice(2, -1);
    for (const line of body) expect(line).toMatch(/^[A-Za-z0-9+/=]{1,76}$/);
  });

  it("refuses paths that leave the run directory or need quoting tricks", () => {
    for (const rel of ["../x", "a/../../x", "/etc/x", "a b", "$(id)", "a//b", ".hidden/x", ""])
      expect(() => assertRel(rel)).toThrow(/not a relative path/);
    expect(() => uploadLines([{ rel: "ok", content: "" }], "not-hex")).toThrow(/hex/);
  });

  it("decodes with FreeBSD's b64decode -r where there is no base64", () => {
    const run = mkdtempSync(join(tmpdir(), "kit-upload-bsd-"));
    const bin = mkdtempSync(join(tmpdir(), "kit-upload-bin-"));
    // A b64decode that decodes raw base64 as FreeBSD's -r does (here with node's decoder), on a
    // PATH without base64.
    writeFileSync(
      join(bin, "b64decode"),
      `#!/bin/sh\n[ "$1" = -r ] || exit 64\nexec ${process.execPath} -e 'process.stdout.write(Buffer.from(require("fs").readFileSync(0, "utf8"), "base64"))'\n`,
      { mode: 0o755 },
    );
    const script = [
      `PATH=${bin}`,
      "_bad=0",
      ...uploadLines([{ rel: "f", content: "grüße\n" }], NONCE),
      'echo "bad=$_bad"',
    ].join("\n");
    expect(dash(script, { RUN: run }).stdout).toBe("bad=0\n");
    expect(readFileSync(join(run, "f"), "utf8")).toBe("grüße\n");
  });
});
