// `reconciler validate` and `reconciler show` end to end: the real binary, a real git repository.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { ROOT } from "../helpers/example-repo.ts";

let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "reconciler-e2e-"));
  for (const dir of ["inventory", "desired"]) cpSync(join(ROOT, dir), join(repo, dir), { recursive: true });
  git("init", "-q", "-b", "main");
  git("-c", "user.name=t", "-c", "user.email=t@example.net", "add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qm", "example network");
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("reconciler validate", () => {
  it("accepts the example network", () => {
    const r = runCli(["validate", "--repo", repo]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/valid: 8 devices, 5 links, no errors, 0 warnings/);
    expect(r.code).toBe(0);
  });

  it("prints every problem with file:line:column and exits 1", () => {
    const path = join(repo, "desired", "router-a.yaml");
    const before = readFileSync(path, "utf8");
    try {
      writeFileSync(
        path,
        before.replace("routing_daemon: bird", "routing_daemon: quagga").replace("hello", "helo"),
      );
      writeFileSync(
        join(repo, "desired", "router-b.yaml"),
        readFileSync(join(repo, "desired", "router-b.yaml"), "utf8").replace("kind: bridge", "kind: tunnel"),
      );
      const r = runCli(["validate", "--repo", repo]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /^desired\/router-a\.yaml:5:17: error: routing_daemon: invalid value "quagga"\n {4}expected the routing daemon of a Debian router: one of bird, frr$/m,
      );
      expect(r.stdout).toMatch(
        /^desired\/router-b\.yaml:\d+:\d+: error: interfaces\[1\]\.kind: invalid value "tunnel"$/m,
      );
      expect(r.stdout).toMatch(/invalid: 2 errors in 2 files/);
    } finally {
      git("checkout", "--", "desired");
    }
  });

  it("validates a git revision without touching the working tree", () => {
    const path = join(repo, "desired", "links.yaml");
    const pristine = readFileSync(path, "utf8");
    try {
      writeFileSync(path, "links: [\n");
      expect(runCli(["validate", "--repo", repo]).code).toBe(1);
      const r = runCli(["validate", "--repo", repo, "--revision", "HEAD"]);
      expect(r.stdout).toMatch(/^revision HEAD \([0-9a-f]{12}\): valid: 8 devices, 5 links/m);
      expect(r.code).toBe(0);
      expect(readFileSync(path, "utf8")).toBe("links: [\n");
      expect(git("status", "--porcelain")).toBe(" M desired/links.yaml\n");
    } finally {
      writeFileSync(path, pristine);
    }
  });

  it("reads a past revision: a broken commit fails, the one before passes", () => {
    const path = join(repo, "inventory", "inventory.yaml");
    const pristine = readFileSync(path, "utf8");
    writeFileSync(path, pristine.replace("platform: opnsense", "platform: pfsense"));
    git("-c", "user.name=t", "-c", "user.email=t@example.net", "commit", "-qam", "break it");
    try {
      const broken = runCli(["validate", "--repo", repo, "--revision", "HEAD"]);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(
        /^inventory\/inventory\.yaml:\d+:\d+: error: devices\.fw-1\.platform: invalid value "pfsense"$/m,
      );
      expect(runCli(["validate", "--repo", repo, "--revision", "HEAD~1"]).code).toBe(0);
    } finally {
      git("reset", "-q", "--hard", "HEAD~1");
    }
  });

  it("refuses a revision that does not exist or looks like an option", () => {
    const missing = runCli(["validate", "--repo", repo, "--revision", "no-such-branch"]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/git revision "no-such-branch" does not exist/);
    const option = runCli(["validate", "--repo", repo, "--revision=--output=/tmp/x"]);
    expect(option.code).toBe(64);
    expect(option.stderr).toMatch(/not a git revision/);
  });

  it("prints machine-readable diagnostics with --json", () => {
    const path = join(repo, "desired", "router-c.yaml");
    const pristine = readFileSync(path, "utf8");
    try {
      writeFileSync(path, pristine.replace("router_id: 192.0.2.195", "router_id: 192.0.2.193"));
      const r = runCli(["validate", "--repo", repo, "--json"]);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.valid).toBe(false);
      expect(out.diagnostics).toContainEqual(
        expect.objectContaining({
          file: "desired/router-c.yaml",
          line: 23,
          path: "ospf.router_id",
          severity: "error",
        }),
      );
    } finally {
      writeFileSync(path, pristine);
    }
  });
});

describe("reconciler show", () => {
  it("prints a device's desired state with its links expanded", () => {
    const r = runCli(["show", "--repo", repo, "--json", "router-a"]);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(Object.keys(view)).toEqual(["router-a"]);
    const wg = view["router-a"].desired.wireguard;
    expect(wg.map((w: { name: string }) => w.name)).toEqual(["wg-b", "wg-c"]);
    expect(wg[0].peers[0].endpoint).toBe("198.51.100.65:51820");
  });

  it("refuses an unknown device", () => {
    const r = runCli(["show", "--repo", repo, "router-z"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown device: router-z/);
  });
});
