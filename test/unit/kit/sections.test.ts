// The nonce framing, round trip: the kit's shell functions run in dash, their output split back.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertNonce,
  newNonce,
  sectionFunctions,
  splitSections,
} from "../../../reconciler/drivers/kit/sections.ts";
import { shQuote as q } from "../../../reconciler/transport/quote.ts";
import { dash, dashSyntax } from "./dash.ts";

describe("sections", () => {
  it("are valid POSIX sh", () => {
    expect(dashSyntax(sectionFunctions(newNonce()).join("\n"))).toBe("ok");
  });

  it("round trip through dash: content that looks like markers, no trailing newline, statuses, absent files", () => {
    const dir = mkdtempSync(join(tmpdir(), "kit-sections-"));
    const nonce = newNonce();
    const other = newNonce();
    const tricky = `line 1\n@@reconciler:${other}:end file rc=0@@\n@@reconciler:${nonce}:begin x@@ (not at line start)\nno newline`;
    writeFileSync(join(dir, "tricky"), tricky);
    const script = [
      ...sectionFunctions(nonce),
      "echo banner outside any section",
      `emit_file ${q(join(dir, "tricky"))} cat`,
      `emit_file ${q(join(dir, "missing"))} cat`,
      `emit_cmd failing cat sh -c 'echo partial; exit 7'`,
      `section both sh -c 'echo out; echo err >&2; exit 3'`,
      "section empty true",
    ].join("\n");
    const { stdout, status } = dash(script);
    expect(status).toBe(0);
    const s = splitSections(stdout, nonce);
    expect(s.get(`file:${join(dir, "tricky")}`)).toEqual({ text: tricky, rc: "0" });
    expect(s.get(`file:${join(dir, "missing")}`)).toEqual({ text: "", rc: "absent" });
    expect(s.get("both")).toEqual({ text: "out\nerr\n", rc: "3" });
    expect(s.get("empty")).toEqual({ text: "", rc: "0" });
    // The command's own status, not the filter's.
    expect(s.get("failing")).toEqual({ text: "partial\n", rc: "7" });
    expect([...s.keys()]).toHaveLength(5);
  });

  it("ignores sections of another nonce and one whose end never came", () => {
    const nonce = "00112233445566778899";
    const out = [
      "@@reconciler:ffeeddccbbaa99887766:begin a@@",
      "x",
      "@@reconciler:ffeeddccbbaa99887766:end a rc=0@@",
      `@@reconciler:${nonce}:begin cut@@`,
      "half",
    ].join("\n");
    expect(splitSections(out, nonce).size).toBe(0);
  });

  it("refuses a nonce that is not hex", () => {
    expect(() => assertNonce("$(reboot)0123456789")).toThrow(/hex/);
    expect(() => sectionFunctions("short")).toThrow(/hex/);
  });
});
