// Which hooks run at a phase: hooks/<phase> first, then hooks/<phase>.d/* in byte order of their
// names; a file without an execute bit is reported, not run; a symlink out of the repository is
// refused (one within it is followed); other names are not hooks.
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { discoverHooks, HookDiscoveryError } from "../../../reconciler/hooks/discover.ts";
import { HOOK_PHASES, isHookPhase, phaseAborts } from "../../../reconciler/hooks/phases.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = realpathSync(mkdtempSync(join(tmpdir(), "reconciler-hooks-")));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(path: string, mode = 0o755, text = "#!/bin/sh\nexit 0\n"): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

describe("the phases", () => {
  it("are the seven of the issue; only pre-plan and pre-apply abort", () => {
    expect(HOOK_PHASES).toEqual([
      "pre-plan",
      "pre-apply",
      "post-device",
      "post-apply",
      "on-failure",
      "on-rollback",
      "on-drift",
    ]);
    expect(HOOK_PHASES.filter(phaseAborts)).toEqual(["pre-plan", "pre-apply"]);
    expect(isHookPhase("pre-apply")).toBe(true);
    expect(isHookPhase("README.md")).toBe(false);
  });
});

describe("discoverHooks", () => {
  it("finds nothing without hooks/", async () => {
    const repo = tmp();
    expect(await discoverHooks("pre-apply", repo)).toEqual({ phase: "pre-apply", hooks: [], skipped: [] });
  });

  it("runs hooks/<phase> first, then hooks/<phase>.d/* in byte order; other names are not hooks", async () => {
    const repo = tmp();
    file(join(repo, "hooks", "pre-apply"));
    for (const n of ["20-b", "10-a", "B-upper", "a-lower", "30-c.mjs"])
      file(join(repo, "hooks", "pre-apply.d", n));
    // Not hooks: documentation, backups, hidden files, other phases, the examples.
    for (const n of ["README.md", "10-a~", ".hidden", "old.disabled", "notes.txt"])
      file(join(repo, "hooks", "pre-apply.d", n));
    file(join(repo, "hooks", "README.md"));
    file(join(repo, "hooks", "post-apply"));
    file(join(repo, "hooks", "examples", "pre-apply.change-window.mjs"));
    file(join(repo, "hooks", "pre-apply.sh"));

    const found = await discoverHooks("pre-apply", repo);
    expect(found.hooks.map((h) => h.path)).toEqual([
      "hooks/pre-apply",
      "hooks/pre-apply.d/10-a",
      "hooks/pre-apply.d/20-b",
      "hooks/pre-apply.d/30-c.mjs",
      "hooks/pre-apply.d/B-upper",
      "hooks/pre-apply.d/a-lower",
    ]);
    expect(found.hooks.map((h) => h.name)).toEqual([
      "pre-apply",
      "10-a",
      "20-b",
      "30-c.mjs",
      "B-upper",
      "a-lower",
    ]);
    expect(found.hooks[1]?.absolutePath).toBe(join(repo, "hooks", "pre-apply.d", "10-a"));
    expect(found.skipped).toEqual([]);
  });

  it("reports a file without an execute bit and does not run it", async () => {
    const repo = tmp();
    file(join(repo, "hooks", "pre-apply.d", "10-run"));
    file(join(repo, "hooks", "pre-apply.d", "20-not-executable"), 0o644);
    file(join(repo, "hooks", "post-apply"), 0o600);
    const pre = await discoverHooks("pre-apply", repo);
    expect(pre.hooks.map((h) => h.name)).toEqual(["10-run"]);
    expect(pre.skipped).toEqual([
      { path: "hooks/pre-apply.d/20-not-executable", reason: expect.stringContaining("not executable") },
    ]);
    const post = await discoverHooks("post-apply", repo);
    expect(post.hooks).toEqual([]);
    expect(post.skipped.map((s) => s.path)).toEqual(["hooks/post-apply"]);
  });

  it("refuses a symlink leading outside the repository, with a clear error", async () => {
    const repo = tmp();
    const outside = tmp();
    file(join(outside, "evil"));
    file(join(repo, "hooks", "pre-apply.d", "10-fine"));
    symlinkSync(join(outside, "evil"), join(repo, "hooks", "pre-apply.d", "20-evil"));
    const err = await discoverHooks("pre-apply", repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookDiscoveryError);
    expect((err as Error).message).toMatch(/hook hooks\/pre-apply.d\/20-evil leads outside the repository/);
    expect((err as HookDiscoveryError).path).toBe("hooks/pre-apply.d/20-evil");
  });

  it("refuses a phase directory, or hooks/ itself, linked from outside", async () => {
    const repo = tmp();
    const outside = tmp();
    file(join(outside, "d", "10-x"));
    mkdirSync(join(repo, "hooks"));
    symlinkSync(join(outside, "d"), join(repo, "hooks", "pre-plan.d"));
    await expect(discoverHooks("pre-plan", repo)).rejects.toThrow(/pre-plan.d leads outside the repository/);

    const repo2 = tmp();
    symlinkSync(outside, join(repo2, "hooks"));
    await expect(discoverHooks("pre-plan", repo2)).rejects.toThrow(/hooks leads outside the repository/);
  });

  it("refuses a dangling symlink", async () => {
    const repo = tmp();
    mkdirSync(join(repo, "hooks"));
    symlinkSync(join(repo, "nowhere"), join(repo, "hooks", "on-drift"));
    await expect(discoverHooks("on-drift", repo)).rejects.toThrow(/dangling symlink/);
  });

  it("follows a symlink that stays inside the repository (an enabled example)", async () => {
    const repo = tmp();
    file(join(repo, "hooks", "examples", "pre-apply.change-window.mjs"));
    mkdirSync(join(repo, "hooks", "pre-apply.d"));
    symlinkSync(
      "../examples/pre-apply.change-window.mjs",
      join(repo, "hooks", "pre-apply.d", "10-window.mjs"),
    );
    const found = await discoverHooks("pre-apply", repo);
    expect(found.hooks.map((h) => h.path)).toEqual(["hooks/pre-apply.d/10-window.mjs"]);
  });

  it("reports a directory named like a hook", async () => {
    const repo = tmp();
    mkdirSync(join(repo, "hooks", "on-failure"), { recursive: true });
    const found = await discoverHooks("on-failure", repo);
    expect(found.hooks).toEqual([]);
    expect(found.skipped).toEqual([{ path: "hooks/on-failure", reason: "a directory, not a hook" }]);
  });
});
