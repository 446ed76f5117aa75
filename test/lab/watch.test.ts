// `reconciler watch` on the lab, against a bare git remote on disk: the watcher's clone rolls out
// the branch's head, then a merge pushed to the remote is rolled out by the running loop (which
// then stops cleanly on SIGTERM), and a frozen fleet is not rolled out: the refusal is logged and
// the routers keep what they run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeze } from "../../reconciler/state/freeze.ts";
import { runCli, runCliKilledAt } from "../helpers/cli.ts";
import { poll } from "../helpers/poll.ts";
import { nsExecOk } from "./lab.ts";
import { type LabRepo, makeLabRepo, removeLabRepo, useLab } from "./lab-fixture.ts";

const lab = useLab();
let work: LabRepo;
let remote: string;
let watcher: string;
const MESH = "router-a,router-b,router-c";
const TIMEOUTS = ["--confirm-timeout", "120", "--health-timeout", "60"];

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.net", ...args], {
    cwd,
    encoding: "utf8",
  });
const linksPath = () => join(work.dir, "desired", "links.yaml");
/** Changes the a-c link's cost in the author's clone and pushes it: "a merge to main". */
function pushCost(from: number, to: number): string {
  writeFileSync(
    linksPath(),
    readFileSync(linksPath(), "utf8").replace(`      cost: ${from}\n`, `      cost: ${to}\n`),
  );
  git(work.dir, "commit", "-qam", `a-c cost ${to}`);
  git(work.dir, "push", "-q", "origin", "main");
  return git(work.dir, "rev-parse", "HEAD").trim();
}
const events = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; revision?: string; why?: string; failed?: string[] });
const birdConf = (router: string) => nsExecOk(router, ["cat", "/etc/bird/bird.conf"]);

beforeAll(() => {
  work = makeLabRepo(lab());
  remote = mkdtempSync(join(tmpdir(), "reconciler-watch-remote-"));
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote]);
  git(work.dir, "remote", "add", "origin", remote);
  expect(runCli(["keys", "--limit", MESH, "--repo", work.dir], { env: work.env }).code).toBe(0);
  git(work.dir, "commit", "-qam", "the mesh's keys");
  git(work.dir, "push", "-q", "origin", "main");
  watcher = mkdtempSync(join(tmpdir(), "reconciler-watcher-"));
  execFileSync("git", ["clone", "-q", remote, watcher]);
}, 120_000);
afterAll(() => {
  removeLabRepo(work);
  for (const d of [remote, watcher]) if (d) rmSync(d, { recursive: true, force: true });
});

const watch = (...extra: string[]) => [
  "watch",
  "--repo",
  watcher,
  "--limit",
  MESH,
  "--log-format",
  "json",
  ...TIMEOUTS,
  ...extra,
];

describe("reconciler watch on the lab", () => {
  it("rolls out the branch's head (--once)", async () => {
    const head = git(work.dir, "rev-parse", "HEAD").trim();
    const r = runCli(watch("--once"), { env: work.env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const e = events(r.stdout);
    expect(e.map((x) => x.event)).toEqual(["new-revision", "rollout-start", "rollout-done", "stopped"]);
    expect(e[0]?.revision).toBe(head.slice(0, 12));
    expect(await birdConf("router-a")).toMatch(/cost 50;/);
  }, 180_000);

  it("rolls out a merge pushed to the remote while it runs, and stops cleanly on SIGTERM", async () => {
    const started = runCliKilledAt(
      watch("--interval", "2"),
      /"event":"rollout-done"[^\n]*\n[\s\S]*"event":"rollout-done"/,
      {
        env: work.env,
        signal: "SIGTERM",
        watch: "stdout",
      },
    );
    // This process starts fresh: it rolls out the head once (nothing to change: a run recorded
    // in the state store), and only then is the merge pushed.
    const runs = join(watcher, ".reconciler", "state", "runs");
    const before = readdirSync(runs).length;
    await poll("the watcher's first run", 60_000, async () =>
      readdirSync(runs).length > before ? true : undefined,
    );
    const merged = pushCost(50, 40);
    const r = await started;
    expect(r.signalled).toBe(true);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const e = events(r.stdout);
    const revisions = e.filter((x) => x.event === "rollout-done").map((x) => x.revision);
    expect(revisions.at(-1)).toBe(merged.slice(0, 12));
    expect(e.at(-1)?.event).toBe("stopped");
    expect(e.some((x) => x.event === "stopping")).toBe(true);
    expect(await birdConf("router-a")).toMatch(/cost 40;/);
    expect(await birdConf("router-c")).toMatch(/cost 40;/);
  }, 240_000);

  it("does not roll out while the fleet is frozen: the refusal is logged, the routers keep what they run", async () => {
    await freeze(join(watcher, ".reconciler", "state"), {
      runId: "20261129T000000Z-000001",
      by: "ops@lab",
      reason: "rollback --to-last-confirmed",
    });
    const before = await birdConf("router-a");
    const pushed = pushCost(40, 30);
    const r = runCli(watch("--once"), { env: work.env });
    expect(r.code).toBe(0);
    const e = events(r.stdout);
    expect(e.map((x) => x.event)).toEqual(["new-revision", "rollout-start", "rollout-refused", "stopped"]);
    expect(e[0]?.revision).toBe(pushed.slice(0, 12));
    expect(e[2]?.why).toMatch(/^the fleet is frozen since .* by ops@lab/);
    expect(await birdConf("router-a")).toBe(before);
  }, 120_000);
});
