// The state store as a git repository, with real git in temporary directories: created on first
// use, a broken one refused with a way out, commits only when something changed and with the
// reconciler's identity whatever the user's git set-up, the run lock never committed. Two stores
// (two CI runners) pushing to one branch of a bare repository: both histories end up there, the
// journal is the union of both, a run file both changed keeps the remote's and saves ours.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freeze, readFreeze } from "../../../reconciler/state/freeze.ts";
import {
  commitState,
  ensureStateRepo,
  mergeFreeze,
  pushStateToRemote,
  STATE_GITIGNORE,
  StateRepoError,
  syncStateFromRemote,
  unionLines,
} from "../../../reconciler/state/git-store.ts";
import { StateStore } from "../../../reconciler/state/store.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "reconciler-git-store-"));
  dirs.push(d);
  return d;
};

// A user's git set-up that would break a naive commit: no identity (and not allowed to guess one),
// signing required, and a hook that fails every commit and push.
const savedEnv = { ...process.env };
beforeEach(() => {
  const home = tmp();
  const hooks = join(home, "hooks");
  mkdirSync(hooks);
  for (const h of ["pre-commit", "commit-msg", "post-commit", "pre-push", "pre-merge-commit"]) {
    writeFileSync(join(hooks, h), `#!/bin/sh\necho ${h} >> "${join(home, "hooks-ran")}"\nexit 1\n`);
    chmodSync(join(hooks, h), 0o755);
  }
  writeFileSync(
    join(home, "gitconfig"),
    `[user]\n\tuseConfigOnly = true\n[commit]\n\tgpgsign = true\n[core]\n\thooksPath = ${hooks}\n[merge]\n\tff = only\n`,
  );
  process.env.HOME = home;
  process.env.GIT_CONFIG_GLOBAL = join(home, "gitconfig");
  process.env.GIT_CONFIG_NOSYSTEM = "1";
  delete process.env.GIT_AUTHOR_NAME;
  delete process.env.GIT_AUTHOR_EMAIL;
  delete process.env.GIT_COMMITTER_NAME;
  delete process.env.GIT_COMMITTER_EMAIL;
  delete process.env.EMAIL;
});
/** Whether any of the user's hooks ran. */
const hooksRan = () => existsSync(join(process.env.HOME as string, "hooks-ran"));
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Plain git on a repository, as an operator would read it. */
const git = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" },
    stdio: ["ignore", "pipe", "pipe"],
  });

const bareRemote = () => {
  const d = join(tmp(), "state.git");
  execFileSync("git", ["init", "--quiet", "--bare", d]);
  return d;
};

describe("ensureStateRepo", () => {
  it("creates the directory and its repository once, with a .gitignore keeping out the run lock and temporary files", async () => {
    const dir = join(tmp(), "deep", "state");
    expect(await ensureStateRepo(dir)).toEqual({ created: true });
    expect(existsSync(join(dir, ".git", "HEAD"))).toBe(true);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe(STATE_GITIGNORE);
    expect(await ensureStateRepo(dir)).toEqual({ created: false });
    // No hooks copied in from any template.
    expect(existsSync(join(dir, ".git", "hooks"))).toBe(false);
  });

  it("refuses a .git that git cannot read, naming the path and how to fix it", async () => {
    const dir = tmp();
    mkdirSync(join(dir, ".git"));
    const err = await ensureStateRepo(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateRepoError);
    expect((err as Error).message).toContain(
      `the state store at ${dir} has a git repository (${join(dir, ".git")}) that git cannot use`,
    );
    expect((err as Error).message).toContain(`mv ${join(dir, ".git")} ${join(dir, ".git")}.broken`);

    const other = tmp();
    writeFileSync(join(other, ".git"), "garbage\n");
    await expect(ensureStateRepo(other)).rejects.toThrow(StateRepoError);
  });

  it("refuses a repository whose index is torn", async () => {
    const dir = tmp();
    await commitState(dir, "first");
    writeFileSync(join(dir, ".git", "index"), "DIRC torn");
    await expect(ensureStateRepo(dir)).rejects.toThrow(/that git cannot use: .*index/);
  });
});

describe("commitState", () => {
  it("commits what changed as the reconciler, whatever the user's git set-up; nothing when nothing changed", async () => {
    const dir = tmp();
    const store = new StateStore(dir);
    await store.journal({ runId: "r1", device: "router-a", step: "lock", ok: true });
    writeFileSync(join(dir, "run.lock"), '{"runId":"r1"}\n');
    writeFileSync(join(dir, ".journal.jsonl.0a1b2c.tmp"), "half");
    const first = await commitState(dir, "run r1: lock router-a");
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(dir, "rev-parse", "HEAD").trim()).toBe(first.commit);
    expect(git(dir, "log", "-1", "--format=%an <%ae>|%s|%G?")).toBe(
      "reconciler <reconciler@localhost>|run r1: lock router-a|N\n",
    );
    expect(git(dir, "ls-files").split("\n").filter(Boolean).sort()).toEqual([".gitignore", "journal.jsonl"]);
    expect(await commitState(dir, "again")).toEqual({});
    // The store's root commit (the same in every store), then the run's.
    expect(git(dir, "rev-list", "--count", "HEAD").trim()).toBe("2");
    await store.journal({ runId: "r1", device: "router-a", step: "unlock", ok: true });
    const second = await commitState(dir, "run r1: unlock router-a");
    expect(second.commit).not.toBe(first.commit);
    expect(hooksRan()).toBe(false);
    expect(git(dir, "show", "--format=", "HEAD", "--", "journal.jsonl")).toContain('"step":"unlock"');
  });

  it("never touches the repository the store sits in", async () => {
    const outer = tmp();
    execFileSync("git", ["init", "--quiet", outer]);
    const dir = join(outer, ".state");
    writeFileSync(join(outer, "inventory.yaml"), "devices: []\n");
    mkdirSync(dir);
    writeFileSync(join(dir, "journal.jsonl"), "{}\n");
    expect((await commitState(dir, "state")).commit).toBeDefined();
    expect(() => git(outer, "rev-parse", "--verify", "HEAD")).toThrow();
    expect(git(outer, "ls-files", "--stage")).toBe("");
    expect(git(dir, "ls-files").split("\n").filter(Boolean).sort()).toEqual([".gitignore", "journal.jsonl"]);
  });
});

describe("a remote branch shared by two runners", () => {
  it("ends with both histories on the branch and the journal as the union of both", async () => {
    const remote = { url: bareRemote(), branch: "reconciler-state" };
    const a = join(tmp(), "a");
    const b = join(tmp(), "b");
    const storeA = new StateStore(a);
    const storeB = new StateStore(b);

    // Both start with empty stores: unrelated histories.
    await storeA.journal({ runId: "ra1", device: "router-a", step: "commit", ok: true });
    writeFileSync(join(a, "run.lock"), "{}");
    mkdirSync(join(a, "runs"));
    writeFileSync(join(a, "runs", "ra1.json"), '{"runId":"ra1"}\n');
    expect(await pushStateToRemote(a, remote)).toEqual([]);

    await storeB.journal({ runId: "rb1", device: "router-b", step: "commit", ok: true });
    mkdirSync(join(b, "runs"));
    writeFileSync(join(b, "runs", "rb1.json"), '{"runId":"rb1"}\n');
    // The first push is refused (the branch moved on); merged and pushed again.
    expect(await pushStateToRemote(b, remote)).toEqual([]);

    // A appends again without syncing first, then pushes.
    await storeA.journal({ runId: "ra2", device: "router-a", step: "confirm", ok: true });
    expect(await pushStateToRemote(a, remote)).toEqual([]);

    const tip = `refs/heads/${remote.branch}`;
    const journal = git(remote.url, "show", `${tip}:journal.jsonl`);
    expect(journal).not.toContain("<<<<<<<");
    expect(
      journal
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).runId),
    ).toEqual(["rb1", "ra1", "ra2"]); // B merged A's line after its own; A's next line followed it
    expect(git(remote.url, "ls-tree", "-r", "--name-only", tip).split("\n").filter(Boolean).sort()).toEqual([
      ".gitignore",
      "journal.jsonl",
      "runs/ra1.json",
      "runs/rb1.json",
    ]);
    // Both stores' own commits are in the branch's history.
    const aHead = git(a, "rev-parse", "HEAD").trim();
    expect(git(remote.url, "rev-parse", tip).trim()).toBe(aHead);
    const log = git(remote.url, "log", "--format=%s", tip);
    expect(log).toContain("merge reconciler-state of the remote");
    expect(git(remote.url, "merge-base", "--is-ancestor", git(b, "rev-parse", "HEAD").trim(), tip)).toBe("");

    // B syncs: it now has A's runs and every journal line.
    expect(await syncStateFromRemote(b, remote)).toEqual([]);
    const bLines = (await storeB.readJournal()).map((e) => e.runId);
    expect(bLines.sort()).toEqual(["ra1", "ra2", "rb1"]);
    expect(existsSync(join(b, "runs", "ra1.json"))).toBe(true);
    expect(existsSync(join(b, "run.lock"))).toBe(false);
    expect(hooksRan()).toBe(false);
  });

  it("keeps the remote's version of a run file both changed, and saves ours beside it with a warning", async () => {
    const remote = { url: bareRemote(), branch: "state" };
    const a = join(tmp(), "a");
    const b = join(tmp(), "b");
    mkdirSync(join(a, "runs"), { recursive: true });
    mkdirSync(join(b, "runs"), { recursive: true });
    writeFileSync(join(a, "runs", "r1.json"), '{"from":"a"}\n');
    expect(await pushStateToRemote(a, remote)).toEqual([]);
    writeFileSync(join(b, "runs", "r1.json"), '{"from":"b"}\n');
    await commitState(b, "b's r1");
    const ours = git(b, "rev-parse", "HEAD").trim().slice(0, 12);
    const warnings = await syncStateFromRemote(b, remote);
    expect(warnings).toEqual([
      `state store: runs/r1.json differs between this machine and the remote: kept the remote's, this machine's is saved as conflicts/${ours}/runs/r1.json`,
    ]);
    expect(readFileSync(join(b, "runs", "r1.json"), "utf8")).toBe('{"from":"a"}\n');
    expect(readFileSync(join(b, "conflicts", ours, "runs", "r1.json"), "utf8")).toBe('{"from":"b"}\n');
    expect(git(b, "status", "--porcelain")).toBe("");
    expect(await pushStateToRemote(b, remote)).toEqual([]);
    expect(git(remote.url, "show", "refs/heads/state:runs/r1.json")).toBe('{"from":"a"}\n');
    expect(hooksRan()).toBe(false);
  });

  it("merges two freezes of freeze.json in a real merge: the later freeze, both rolled-back revisions", async () => {
    const remote = { url: bareRemote(), branch: "state" };
    const a = join(tmp(), "a");
    const b = join(tmp(), "b");
    mkdirSync(a);
    mkdirSync(b);
    await freeze(
      a,
      { runId: "r1", by: "a@host", reason: "router-a down", revision: "a".repeat(40) },
      new Date("2026-11-29T10:00:00Z"),
    );
    expect(await pushStateToRemote(a, remote)).toEqual([]);
    await freeze(
      b,
      { runId: "r2", by: "b@host", reason: "router-b down", revision: "b".repeat(40) },
      new Date("2026-11-29T11:00:00Z"),
    );
    expect(await pushStateToRemote(b, remote)).toEqual([]);
    const merged = await readFreeze(b);
    expect(merged.frozen).toEqual({
      since: "2026-11-29T11:00:00.000Z",
      by: "b@host",
      runId: "r2",
      reason: "router-b down",
    });
    expect(merged.rolledBack.map((r) => r.revision)).toEqual(["b".repeat(40), "a".repeat(40)]);
    expect(git(remote.url, "show", "refs/heads/state:freeze.json")).toBe(
      readFileSync(join(b, "freeze.json"), "utf8"),
    );
  });

  it("every store starts from the same root commit, made at another time by another runner", async () => {
    const root = (d: string) => git(d, "rev-list", "--max-parents=0", "HEAD").trim();
    const a = tmp();
    await commitState(a, "nothing");
    await new Promise((r) => setTimeout(r, 1100));
    const b = tmp();
    await commitState(b, "nothing");
    expect(root(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(root(b)).toBe(root(a));
  });

  it("syncs nothing from a branch that does not exist yet, and fast-forwards an empty store", async () => {
    const remote = { url: bareRemote(), branch: "state" };
    const a = join(tmp(), "a");
    expect(await syncStateFromRemote(a, remote)).toEqual([]);
    writeFileSync(join(a, "journal.jsonl"), '{"runId":"r1"}\n');
    expect(await pushStateToRemote(a, remote)).toEqual([]);
    const fresh = join(tmp(), "fresh");
    expect(await syncStateFromRemote(fresh, remote)).toEqual([]);
    expect(readFileSync(join(fresh, "journal.jsonl"), "utf8")).toBe('{"runId":"r1"}\n');
    expect(git(fresh, "rev-parse", "HEAD").trim()).toBe(git(a, "rev-parse", "HEAD").trim());
  });

  it("returns failures as warnings, never throws", async () => {
    const a = tmp();
    writeFileSync(join(a, "journal.jsonl"), "{}\n");
    const missing = join(tmp(), "no-such-remote.git");
    const pushed = await pushStateToRemote(a, { url: missing, branch: "state" });
    expect(pushed.length).toBeGreaterThan(0);
    expect(pushed.join("\n")).toContain(`cannot fetch branch state of ${missing}`);
    expect(pushed.at(-1)).toMatch(new RegExp(`^state store not pushed to branch state of ${missing}: `));
    expect(await pushStateToRemote(a, { url: "--upload-pack=touch /tmp/x", branch: "state" })).toEqual([
      'state store not pushed: not a usable git remote URL: "--upload-pack=touch /tmp/x"',
    ]);
    expect(await syncStateFromRemote(a, { url: bareRemote(), branch: "../main" })).toEqual([
      'state store not synced: not a usable branch name for the state store: "../main"',
    ]);
    expect(
      await syncStateFromRemote(a, { url: "https://user:tok3n@example.invalid/x.git", branch: "state" }).then(
        (w) => w.join("\n"),
      ),
    ).not.toContain("tok3n");
  });

  it("refuses a remote tree holding a symbolic link", async () => {
    const remote = { url: bareRemote(), branch: "state" };
    const evil = tmp();
    execFileSync("git", ["init", "--quiet", evil]);
    symlinkSync("/etc", join(evil, "runs"));
    git(evil, "add", "runs");
    git(
      evil,
      "-c",
      "user.name=x",
      "-c",
      "user.email=x@x",
      "-c",
      "core.hooksPath=/dev/null",
      "commit",
      "-qm",
      "evil",
    );
    git(evil, "push", "--quiet", remote.url, "HEAD:refs/heads/state");
    const a = tmp();
    writeFileSync(join(a, "journal.jsonl"), "{}\n");
    const warnings = await syncStateFromRemote(a, remote);
    expect(warnings).toEqual([
      `state store not synced: branch state of ${remote.url} holds symbolic links or submodules, which a state store never has: "runs"`,
    ]);
    expect(existsSync(join(a, "runs"))).toBe(false);
  });
});

describe("merging the journal and the freeze", () => {
  it("the journal: ours in order, then the lines only the remote has", () => {
    expect(unionLines("a\nb\nc\n", "a\nb\nd\ne\n")).toBe("a\nb\nc\nd\ne\n");
    expect(unionLines(undefined, "x\n")).toBe("x\n");
    expect(unionLines("", "")).toBe("");
  });

  const f = (
    frozen: object | undefined,
    rolledBack: { revision: string; runId: string; time: string }[] = [],
  ) => JSON.stringify({ version: 1, ...(frozen ? { frozen } : {}), rolledBack });
  const fz = (runId: string, since: string) => ({ since, by: "op@host", runId, reason: "rollback" });

  it("the freeze: a new freeze on either side wins, a lifted base freeze stays lifted, rolled-back revisions are the union", () => {
    const r1 = { revision: "aaa", runId: "r1", time: "t1" };
    const r2 = { revision: "bbb", runId: "r2", time: "t2" };
    // Base frozen by r1; ours lifted it; theirs unchanged: lifted.
    expect(
      JSON.parse(mergeFreeze(f(fz("r1", "t1"), [r1]), f(undefined, [r1]), f(fz("r1", "t1"), [r1]))),
    ).toEqual({
      version: 1,
      rolledBack: [r1],
    });
    // Ours lifted it, theirs froze again (a new rollback): frozen.
    expect(
      JSON.parse(mergeFreeze(f(fz("r1", "t1"), [r1]), f(undefined, [r1]), f(fz("r2", "t2"), [r1, r2]))),
    ).toEqual({ version: 1, frozen: fz("r2", "t2"), rolledBack: [r1, r2] });
    // Two new freezes: the later one.
    expect(
      JSON.parse(mergeFreeze(undefined, f(fz("r3", "t3"), [r1]), f(fz("r2", "t2"), [r2]))).frozen,
    ).toEqual(fz("r3", "t3"));
    // A side that does not parse is ignored.
    expect(JSON.parse(mergeFreeze(undefined, "{torn", f(fz("r2", "t2"), [r2]))).frozen).toEqual(
      fz("r2", "t2"),
    );
  });
});
