// The readFiles framing, exercised by running the generated script in this machine's /bin/sh
// (dash, as on Debian routers) on real files: the same script a device runs.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  newNonce,
  parseReadFilesOutput,
  ReadFilesFormatError,
  readFilesScript,
  validateRemotePath,
} from "../../../reconciler/transport/read-files.ts";

const dir = mkdtempSync(join(tmpdir(), "rcl-readfiles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(paths: string[], nonce = newNonce()) {
  const script = readFilesScript(paths, nonce);
  const r = spawnSync("/bin/sh", ["-c", script], { cwd: dir });
  expect(r.status).toBe(0);
  return { out: r.stdout, nonce, parsed: () => parseReadFilesOutput(r.stdout, paths, nonce) };
}

const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe("readFiles framing", () => {
  it("reads files with and without trailing newline, empty files, and maps missing ones to null", () => {
    const files = {
      [file("plain", "a\nb\n")]: "a\nb\n",
      [file("no-newline", "last line without newline")]: "last line without newline",
      [file("empty", "")]: "",
      [file("newlines-only", "\n\n\n")]: "\n\n\n",
      [join(dir, "missing")]: null,
    };
    const { files: got, unreadable } = runScript(Object.keys(files)).parsed();
    expect(got).toEqual(files);
    expect(unreadable).toEqual([]);
  });

  it("is not fooled by content that contains the marker text, even this call's nonce", () => {
    const nonce = newNonce();
    const evil = `${nonce} 1 missing\n${nonce} end\n${nonce} 0 12\nrcl-`;
    const a = file("evil-a", evil);
    const b = file("evil-b", `x\n${nonce} 0 missing`);
    const { parsed } = runScript([a, b, join(dir, "nope")], nonce);
    expect(parsed().files).toEqual({ [a]: evil, [b]: `x\n${nonce} 0 missing`, [join(dir, "nope")]: null });
  });

  it("keeps multi-byte UTF-8 and odd bytes intact (lengths are bytes)", () => {
    const text = "grüße ☃ 🚀\r\n\ttabs\0nul\n";
    const p = file("utf8", text);
    expect(runScript([p]).parsed().files[p]).toBe(text);
  });

  it("quotes hostile paths: they are files, not code", () => {
    const weird = join(dir, "it's $(touch pwned) `id` ; *");
    writeFileSync(weird, "ok");
    const { parsed } = runScript([weird, join(dir, "*")]);
    expect(parsed().files).toEqual({ [weird]: "ok", [join(dir, "*")]: null });
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  it("reports directories and unreadable things instead of calling them missing", () => {
    const sub = join(dir, "a-dir");
    mkdirSync(sub);
    const dangling = join(dir, "dangling");
    symlinkSync(join(dir, "does-not-exist"), dangling);
    const { parsed } = runScript([sub, dangling]);
    expect(parsed().unreadable).toEqual([sub, dangling]);
  });

  it("reads the same file twice and 50 files in one script", () => {
    const paths = Array.from({ length: 50 }, (_, i) => file(`many-${i}`, `file ${i}\n`.repeat(i)));
    const got = runScript([...paths, paths[3] as string]).parsed().files;
    paths.forEach((p, i) => expect(got[p]).toBe(`file ${i}\n`.repeat(i)));
  });

  it("detects a file whose size changed while it was read", () => {
    const p = file("grows", "12345");
    const { out, nonce } = runScript([p]);
    const grown = Buffer.from(out.toString("latin1").replace("12345", "123456"), "latin1");
    expect(() => parseReadFilesOutput(grown, [p], nonce)).toThrow(ReadFilesFormatError);
    const shrunk = Buffer.from(out.toString("latin1").replace("12345", "1234"), "latin1");
    expect(() => parseReadFilesOutput(shrunk, [p], nonce)).toThrow(ReadFilesFormatError);
  });

  it("rejects truncated output and output from another call", () => {
    const p = file("t", "abc");
    const { out, nonce } = runScript([p]);
    expect(() => parseReadFilesOutput(out.subarray(0, out.length - 5), [p], nonce)).toThrow(
      ReadFilesFormatError,
    );
    expect(() => parseReadFilesOutput(out, [p], newNonce())).toThrow(ReadFilesFormatError);
  });

  it("accepts only absolute paths without NUL or newline", () => {
    expect(() => validateRemotePath("etc/passwd")).toThrow(/not absolute/);
    expect(() => validateRemotePath("/etc/x\ny")).toThrow(/newline/);
    expect(() => validateRemotePath("/etc/x\0")).toThrow(/NUL/);
    expect(() => readFilesScript(["relative"], newNonce())).toThrow(/not absolute/);
    expect(() => validateRemotePath("/etc/wireguard/wg0.conf")).not.toThrow();
  });

  it("reads an unreadable file as an error when not root", () => {
    // As root every file is readable; the branch is covered by directories above.
    const p = file("secret", "s");
    chmodSync(p, 0o000);
    const { parsed } = runScript([p]);
    const r = parsed();
    if (process.getuid?.() === 0) expect(r.files[p]).toBe("s");
    else expect(r.unreadable).toEqual([p]);
  });
});
