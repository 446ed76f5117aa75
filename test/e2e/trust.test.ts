// `reconciler trust DEVICE` end to end: the real binary against a throwaway sshd (one device of a
// copy of the example network points at it). It pins the presented key in inventory/known_hosts
// without authenticating, reports an unchanged key as such, replaces a changed one in place, and
// the transport then connects with the pinned key.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import { WorkingTreeReader } from "../../reconciler/load/reader.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { runCli } from "../helpers/cli.ts";
import { ROOT } from "../helpers/example-repo.ts";
import { freePort, generateKey, startSshd, type TestSshd } from "../helpers/sshd.ts";

let sshd: TestSshd;
let repo: string;
let pristine: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
const knownHostsPath = () => join(repo, "inventory", "known_hosts");
const knownHosts = () => readFileSync(knownHostsPath(), "utf8");
// No credentials at all: trust must not need (or send) any.
const noCredentials = { RECONCILER_SSH_KEY: "", SSH_AUTH_SOCK: "" };
const keygenFingerprint = (pub: string) =>
  execFileSync("ssh-keygen", ["-E", "sha256", "-lf", pub], { encoding: "utf8" }).split(" ")[1] as string;

/** Points a device of the example inventory at host:port. */
function pointDevice(name: string, host: string, port: number) {
  const path = join(repo, "inventory", "inventory.yaml");
  const text = readFileSync(path, "utf8");
  const re = new RegExp(`(\\n  ${name}:\\n    platform: \\w+\\n)    host: \\S+\\n(    port: \\d+\\n)?`);
  if (!re.test(text)) throw new Error(`example inventory has no device ${name} in the expected shape`);
  writeFileSync(path, text.replace(re, `$1    host: ${host}\n    port: ${port}\n`));
}

beforeAll(async () => {
  sshd = await startSshd();
  repo = mkdtempSync(join(tmpdir(), "reconciler-trust-"));
  for (const dir of ["inventory", "desired"]) cpSync(join(ROOT, dir), join(repo, dir), { recursive: true });
  pointDevice("router-a", sshd.host, sshd.port);
  pristine = knownHosts();
  git("init", "-q", "-b", "main");
  git("-c", "user.name=t", "-c", "user.email=t@example.net", "add", "-A");
  git(
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.net",
    "commit",
    "-qm",
    "example network, router-a on the test sshd",
  );
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("reconciler trust", () => {
  it("pins the presented key in inventory/known_hosts without authenticating", () => {
    const logins = sshd.logins();
    const connections = sshd.connections();
    const r = runCli(["trust", "router-a", "--repo", repo], { env: noCredentials });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const fp = keygenFingerprint(`${sshd.hostKey.path}.pub`);
    expect(r.stdout).toContain(`router-a (127.0.0.1:${sshd.port}) presents ssh-ed25519 ${fp}\n`);
    expect(r.stdout).toContain(
      `pinned in inventory/known_hosts: [127.0.0.1]:${sshd.port} ssh-ed25519 (new)\n`,
    );
    expect(knownHosts()).toBe(`${pristine}[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey.key}\n`);
    // The git diff, which is the review, is that one line.
    expect(git("status", "--porcelain")).toBe(" M inventory/known_hosts\n");
    expect(
      git("diff", "-U0", "--no-color")
        .split("\n")
        .filter((l) => /^[+-][^+-]/.test(l)),
    ).toEqual([`+[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey.key}`]);
    // One TCP connection, no login, not even a failed attempt.
    expect(sshd.connections() - connections).toBe(1);
    expect(sshd.logins()).toBe(logins);
    expect(sshd.log()).not.toMatch(/^(Failed|Invalid user|Postponed)/m);
    // The result is a valid inventory.
    const v = runCli(["validate", "--repo", repo]);
    expect(v.stdout).toMatch(/valid: 8 devices, 5 links, no errors, 0 warnings/);
  });

  it("says so and changes nothing when the key is already pinned", () => {
    const before = knownHosts();
    const r = runCli(["trust", "router-a", "--repo", repo], { env: noCredentials });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `unchanged: inventory/known_hosts already pins this key for [127.0.0.1]:${sshd.port}\n`,
    );
    expect(knownHosts()).toBe(before);
  });

  it("lets the transport connect with the pinned key", async () => {
    const loaded = await loadRepo(new WorkingTreeReader(repo), { descriptors: DESCRIPTORS });
    if (!loaded.repo) throw new Error("the test repository does not load");
    const t = openSshTransport(loaded.repo.devices, knownHosts(), {
      env: { RECONCILER_SSH_KEY: sshd.clientKey.path },
    });
    try {
      const s = await t.session("router-a");
      expect((await s.run(["echo", "pinned"])).stdout).toBe("pinned\n");
    } finally {
      await t.closeAll();
    }
  });

  it("replaces a changed key in place, keeping comments and other lines", () => {
    const old = generateKey(sshd.dir, "old-host-key");
    const stale = `[127.0.0.1]:${sshd.port} ${old.keyType} ${old.key}`;
    const other = `198.51.100.131 ${old.keyType} ${old.key}`;
    writeFileSync(knownHostsPath(), `${pristine}${stale}\n${other}\n`);
    const r = runCli(["trust", "router-a", "--repo", repo], { env: noCredentials });
    expect(r.code).toBe(0);
    const oldFp = keygenFingerprint(`${old.path}.pub`);
    expect(r.stdout).toContain(`replacing ssh-ed25519 ${oldFp}`);
    expect(r.stdout).toContain("the device's key CHANGED");
    expect(knownHosts()).toBe(
      `${pristine}[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostKey.key}\n${other}\n`,
    );
  });

  it("fails with one line and exit 1 when the device cannot be reached, writing nothing", async () => {
    pointDevice("router-b", "127.0.0.1", await freePort());
    const before = knownHosts();
    const r = runCli(["trust", "router-b", "--repo", repo], { env: noCredentials });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^reconciler: router-b: cannot connect to 127\.0\.0\.1:\d+: connection refused\n$/,
    );
    expect(knownHosts()).toBe(before);
  });

  it("refuses an unknown device with a usage error", () => {
    const r = runCli(["trust", "no-such-device", "--repo", repo]);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe("reconciler: unknown device: no-such-device\n");
  });
});
