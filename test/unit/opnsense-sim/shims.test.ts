// The FreeBSD userland shims, run with Debian's tools standing in for the copies lab-setup.sh
// keeps outside the box's /usr/bin.
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIM } from "./helpers.ts";

let dir: string;
const shim = (name: string) => join(dir, name);
const run = (name: string, args: string[], input?: string) =>
  spawnSync("/bin/sh", [shim(name), ...args], { encoding: "utf8", input: input ?? "" });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "opnsense-shims-"));
  for (const s of ["stat", "lockf", "daemon", "sha256", "b64decode"]) {
    const text = readFileSync(join(SIM, "shims", s), "utf8").replaceAll("@LIBEXEC@", "/usr/bin");
    writeFileSync(shim(s), text, { mode: 0o755 });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stat (BSD)", () => {
  it("-f FORMAT: %m %z %Lp %N, and %% as a literal", () => {
    const f = join(dir, "file");
    writeFileSync(f, "hello\n");
    chmodSync(f, 0o640);
    utimesSync(f, 1764464411, 1764464411);
    expect(run("stat", ["-f", "%m %z %Lp %N %%m", f]).stdout).toBe(`1764464411 6 640 ${f} %m\n`);
    expect(run("stat", ["-f", "%Sp %Su", f]).stdout).toMatch(/^-rw-r----- \S+\n$/);
  });

  it("a missing file: BSD's message, exit 1; -q quiet", () => {
    const r = run("stat", ["-f", "%m", "/nonexistent"]);
    expect([r.status, r.stderr]).toEqual([1, "stat: /nonexistent: stat: No such file or directory\n"]);
    expect(run("stat", ["-q", "-f", "%m", "/nonexistent"]).stderr).toBe("");
  });

  it("-n leaves out the newline", () => {
    expect(run("stat", ["-n", "-f", "%z", shim("stat")]).stdout).toBe(String(statSync(shim("stat")).size));
  });
});

describe("lockf, sha256, b64decode, daemon", () => {
  it("lockf -k runs the command under the lock and keeps the file; without -k removes it", () => {
    const lock = join(dir, "l1");
    expect(run("lockf", ["-k", lock, "echo", "ran"]).stdout).toBe("ran\n");
    expect(existsSync(lock)).toBe(true);
    const lock2 = join(dir, "l2");
    expect(run("lockf", [lock2, "true"]).status).toBe(0);
    expect(existsSync(lock2)).toBe(false);
  });

  it("lockf -t 0 on a held lock: 'already locked', exit 75", () => {
    const lock = join(dir, "l3");
    writeFileSync(lock, "");
    const holder = spawnSync(
      "flock",
      [lock, "sh", "-c", `sh ${shim("lockf")} -t 0 ${lock} true; echo rc=$?`],
      {
        encoding: "utf8",
      },
    );
    expect(holder.stdout).toBe("rc=75\n");
    expect(holder.stderr).toBe(`lockf: ${lock}: already locked\n`);
  });

  it("sha256 -q FILE prints the digest only; plain, BSD's tagged line", () => {
    const f = join(dir, "data");
    writeFileSync(f, "abc");
    const hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(run("sha256", ["-q", f]).stdout).toBe(`${hex}\n`);
    expect(run("sha256", [f]).stdout).toBe(`SHA256 (${f}) = ${hex}\n`);
    expect(run("sha256", [], "abc").stdout).toBe(`${hex}\n`);
  });

  it("b64decode: framed input to the named file with its mode; -r raw to stdout", () => {
    const out = join(dir, "decoded");
    const framed = `begin-base64 600 ${out}\n${Buffer.from("secret\n").toString("base64")}\n====\n`;
    expect(run("b64decode", [], framed).status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("secret\n");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(run("b64decode", ["-r"], Buffer.from("raw").toString("base64")).stdout).toBe("raw");
    expect(run("b64decode", ["-p"], framed).stdout).toBe("secret\n");
  });

  it("daemon -p detaches the command and records its pid", async () => {
    const pidfile = join(dir, "d.pid");
    const r = run("daemon", ["-f", "-p", pidfile, "sleep", "5"]);
    expect(r.status).toBe(0);
    for (let i = 0; i < 50 && !existsSync(pidfile); i++) await new Promise((res) => setTimeout(res, 20));
    const pid = Number(readFileSync(pidfile, "utf8"));
    const sid = execFileSync("ps", ["-o", "sid=", "-p", String(pid)], { encoding: "utf8" }).trim();
    expect(Number(sid)).toBe(pid); // its own session
    process.kill(pid);
  });
});
