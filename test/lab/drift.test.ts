// The nightly drift loop on the lab, against the emulated GitHub (GitHub's OpenAPI description,
// in process) and a bare git remote on disk: a hand edit on router-a shows in the report, and the
// drift run pushes an adopting commit to reconciler/drift/router-a and opens one pull request; the
// same drift the next night updates that pull request (nothing pushed again); once the drift is
// gone (apply puts router-a back), the pull request is closed with a comment.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftCommand } from "../../reconciler/cli/drift.ts";
import { APPLY_DRIVERS, DRIVERS } from "../../reconciler/drivers/index.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { runCli } from "../helpers/cli.ts";
import { API, FakeGitHub, OWNER, REPO, TOKEN } from "../unit/github/fake-github.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let repo: LabRepo;
let remote: string;
let gh: FakeGitHub;
const MESH = "router-a,router-b,router-c";
const BRANCH = "reconciler/drift/router-a";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], {
    cwd,
    encoding: "utf8",
  });
const cli = (args: string[]) => runCli([...args, "--repo", repo.dir], { env: repo.env });

function sink() {
  const w = new Writable({
    write(c, _e, done) {
      (w as Writable & { text: string }).text += c.toString();
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
}

/** One night's drift run, as the drift workflow runs it (--revert: the automatic revert, per scope). */
async function night(revert?: string): Promise<{ code: number; out: string; report: string }> {
  const out = sink();
  const report = join(repo.dir, "drift.md");
  const code = await driftCommand(
    { repo: repo.dir, limit: MESH, report, openPr: true, base: "main", ...(revert ? { revert } : {}) },
    {
      drivers: DRIVERS,
      applyDrivers: APPLY_DRIVERS,
      openTransport: (r, knownHosts) => openSshTransport(r.devices, knownHosts),
      env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: API },
      ask: async () => false,
      interactive: false,
      err: sink(),
    },
    out,
    false,
  );
  return { code, out: out.text, report: readFileSync(report, "utf8") };
}
const branchHead = () =>
  execFileSync("git", ["--git-dir", remote, "rev-parse", "--verify", "--quiet", `refs/heads/${BRANCH}`], {
    encoding: "utf8",
  }).trim();

beforeAll(async () => {
  gh = await FakeGitHub.start();
  repo = makeLabRepo(lab());
  // The transport reads the key's path from the environment, as the CLI does.
  process.env.RECONCILER_SSH_KEY = repo.env.RECONCILER_SSH_KEY;
  remote = mkdtempSync(join(tmpdir(), "reconciler-drift-remote-"));
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  git(repo.dir, "remote", "add", "origin", remote);
  expect(cli(["keys", "--limit", MESH]).code).toBe(0);
  git(repo.dir, "commit", "-qam", "the mesh's keys");
  git(repo.dir, "push", "-q", "origin", "main");
  const applied = cli(["apply", "--limit", MESH, "--yes"]);
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
}, 180_000);
afterAll(() => {
  gh?.stop();
  removeLabRepo(repo);
  if (remote) rmSync(remote, { recursive: true, force: true });
});

describe("nightly drift with pull requests, on the lab", () => {
  let firstPush: string;

  it("a hand edit on router-a: the report shows it, the adopting commit is pushed and one pull request opened", async () => {
    await nsExecOk("router-a", [
      "sh",
      "-c",
      "sed -i 's/cost 10;/cost 15;/' /etc/bird/bird.conf && birdc configure >/dev/null",
    ]);
    const r = await night();
    expect(r.code).toBe(2);
    expect(r.report).toMatch(/^# Drift report: drift found/);
    expect(r.report).toContain("| router\\-a | debian | drifted |");
    expect(r.report).toContain("- link **a\\-b** is drifted: router\\-a: ospf\\.instances\\[mesh4\\]");
    expect(r.out).toMatch(/^router-a: drift pull request #\d+ created$/m);
    expect(gh.pulls.filter((p) => p.state === "open")).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({
      head: BRANCH,
      base: "main",
      title: "Drift on router-a: adopt what it runs",
    });
    expect(gh.pulls[0]?.body).toContain("**merge** it to accept the drift");
    // The adopting commit: links.yaml gives router-a's end of a-b its own cost, on top of main.
    firstPush = branchHead();
    const shown = execFileSync("git", ["--git-dir", remote, "show", "--format=%s", firstPush], {
      encoding: "utf8",
    });
    expect(shown).toMatch(/^Adopt the drift observed on router-a/);
    expect(shown).toMatch(/^\+.*cost: 15/m);
    expect(
      execFileSync("git", ["--git-dir", remote, "rev-parse", `${firstPush}^`], { encoding: "utf8" }).trim(),
    ).toBe(git(repo.dir, "rev-parse", "HEAD").trim());
    // The checkout was not touched.
    expect(git(repo.dir, "status", "--porcelain", "--untracked-files=no")).toBe("");
    expect(gh.problems).toEqual([]);
  }, 120_000);

  it("the same drift the next night updates the same pull request, pushing nothing", async () => {
    const r = await night();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^router-a: drift pull request #\d+ updated \(its commit unchanged\)$/m);
    expect(gh.pulls).toHaveLength(1);
    expect(branchHead()).toBe(firstPush);
    expect(gh.problems).toEqual([]);
  }, 120_000);

  it("once the drift is gone, the pull request is closed with a comment", async () => {
    const back = cli(["apply", "--limit", "router-a", "--yes"]);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const r = await night();
    expect(r.code).toBe(0);
    expect(r.report).toMatch(/^# Drift report: in sync/);
    expect(r.out).toMatch(/^router-a: drift gone, pull request #\d+ closed$/m);
    expect(gh.pulls[0]?.state).toBe("closed");
    expect(gh.comments.at(-1)?.body).toMatch(/The drift on router-a is gone/);
    expect(gh.problems).toEqual([]);
  }, 120_000);

  it("with --revert for a device, its drift is reverted by an apply instead of proposed", async () => {
    const before = gh.pulls.length;
    await nsExecOk("router-b", [
      "sh",
      "-c",
      "sed -i 's/cost 20;/cost 25;/' /etc/bird/bird.conf && birdc configure >/dev/null",
    ]);
    const r = await night("router-b");
    expect(r.out).toMatch(/^reverting the drift of router-b$/m);
    expect(r.out).toMatch(/router-b: confirmed/);
    expect(gh.pulls).toHaveLength(before);
    expect(await nsExecOk("router-b", ["cat", "/etc/bird/bird.conf"])).not.toMatch(/cost 25;/);
    expect(cli(["plan", "--limit", "router-b"]).code).toBe(0);
    expect(gh.problems).toEqual([]);
  }, 120_000);
});
