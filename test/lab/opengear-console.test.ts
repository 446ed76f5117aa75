// `reconciler console`, end to end: core-1's console is resolved from the example's desired
// state to oob-1's port 1, and the session goes through the simulated Opengear's sshd as
// `root:ports-1` with oob-1's host key pinned, to the console wired to that port (the lab's
// topology: "serial": {"1": "core-1", "2": "router-a"}). Then what the box decides: a port at
// another line speed reads garbage, a port not in console server mode is refused, and a host key
// that does not match the pin stops the connection before any session.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/example-repo.ts";
import { type LabRouter, sshExec } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;

const oob1 = (): LabRouter => {
  const r = lab().routers.find((x) => x.name === "oob-1");
  if (!r) throw new Error("no lab router oob-1");
  return r;
};
const journal = (): Record<string, unknown>[] =>
  readFileSync(join(oob1().dir, "opengear", "sim", "journal.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.op === "port-session");

/** The CLI with its stdin in the test's hands, as an operator at a terminal. */
class Session {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly closed: Promise<number>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(ROOT, "bin", "reconciler.js"), ...args, "--repo", repo.dir], {
      env: { ...process.env, NO_COLOR: "1", ...repo.env },
    });
    this.child.stdout.on("data", (d: Buffer) => {
      this.stdout += d.toString("latin1");
    });
    this.child.stderr.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 60_000);
    this.closed = new Promise((done) =>
      this.child.on("close", (code) => {
        clearTimeout(timer);
        done(code ?? -1);
      }),
    );
  }
  async waitFor(pattern: RegExp, ms = 20_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > until || this.child.exitCode !== null)
        throw new Error(`no ${pattern} in:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  type(text: string): void {
    this.child.stdin.write(text);
  }
}

async function ogcli(command: string): Promise<void> {
  const r = await sshExec(oob1(), `ogcli ${command}`);
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(() => {
  repo = makeLabRepo(lab());
}, 60_000);
afterAll(() => removeLabRepo(repo));

describe("reconciler console through the simulated Opengear", () => {
  it("reaches core-1's console on oob-1 port 1 as root:ports-1, and the escape ends it", async () => {
    const s = new Session(["console", "core-1"]);
    await s.waitFor(/core-1: console on oob-1 port 1 \(core-1\) as root:ports-1\n/);
    // A console says nothing until Return is pressed.
    await new Promise((r) => setTimeout(r, 1_000));
    s.type("\r");
    await s.waitFor(/Debian GNU\/Linux 13 core-1 ttyS0\r\n\r\ncore-1 login: $/);
    s.type("root\r");
    await s.waitFor(/core-1 login: root\r\nPassword: $/);
    s.type("not-a-password\r~.");
    expect(await s.closed, s.stderr).toBe(0);
    expect(s.stdout).not.toContain("not-a-password");
    expect(s.stdout).toContain("Login incorrect");
    expect(journal()).toEqual([
      expect.objectContaining({ user: "root", port: "ports-1", far_end: "core-1", readable: true }),
    ]);
  }, 90_000);

  it("reads garbage from a port left at another speed than its console (9600)", async () => {
    await ogcli('update port ports-2 baudrate=\\"115200\\"');
    const s = new Session(["console", "oob-1", "2"]);
    await s.waitFor(/as root:ports-2\n/);
    s.type("\r");
    await s.waitFor(/[\x80-\xff]{20}/);
    s.type("\r~.");
    expect(await s.closed).toBe(0);
    expect(s.stdout).not.toContain("login:");
    expect(journal().at(-1)).toMatchObject({ port: "ports-2", far_end: "router-a", readable: false });
  }, 90_000);

  it("is refused by the box for a port not in console server mode, and fails", async () => {
    await ogcli('update port ports-2 mode=\\"disabled\\"');
    const s = new Session(["console", "router-a"]);
    s.child.stdin.end();
    expect(await s.closed).toBe(1);
    expect(s.stdout).toContain("router-a: console on oob-1 port 2 (router-a) as root:ports-2");
    expect(s.stdout + s.stderr).toContain("Error: Port ports-2 is not in Console Server mode");
    expect(journal().at(-1)).toMatchObject({ port: "ports-2", refused: expect.any(String) });
  }, 90_000);

  it("stops before any session when oob-1's host key is not the pinned one", async () => {
    const knownHosts = join(repo.dir, "inventory", "known_hosts");
    const pinned = readFileSync(knownHosts, "utf8");
    const other = readFileSync(knownHosts, "utf8")
      .split("\n")
      .find((l) => l.length > 0 && !l.startsWith("#") && !l.includes("198.51.100.136"));
    if (!other) throw new Error("no other host key in the lab's known_hosts");
    const key = other.split(/\s+/).slice(1).join(" ");
    writeFileSync(
      knownHosts,
      pinned
        .split("\n")
        .map((l) => (l.includes("198.51.100.136") ? `${l.split(/\s+/)[0]} ${key}` : l))
        .join("\n"),
    );
    try {
      const before = journal().length;
      const s = new Session(["console", "core-1"]);
      s.child.stdin.end();
      expect(await s.closed).not.toBe(0);
      expect(s.stderr).toMatch(/host key/i);
      expect(journal()).toHaveLength(before);
    } finally {
      writeFileSync(knownHosts, pinned);
    }
  }, 90_000);
});
