// Shared set-up for lab test files: bring the lab up before the file's tests and down after
// them, failing every test (never skipping) when the lab cannot start; and a throwaway copy of
// the example repository whose known_hosts pins the lab routers' freshly generated host keys.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { ROOT } from "../helpers/example-repo.ts";
import { type Lab, labDown, labUp } from "./lab.ts";

export interface LabRepo {
  dir: string;
  /** Environment for the reconciler: where the lab's SSH key is. */
  env: Record<string, string>;
}

/** Registers the lab's lifecycle hooks for the calling test file; the getter returns the running lab. */
export function useLab(): () => Lab {
  let lab: Lab | undefined;
  let upError: unknown;
  beforeAll(async () => {
    try {
      lab = await labUp();
    } catch (e) {
      upError = e;
    }
  }, 180_000);
  // vitest reports tests after a failed beforeAll as skipped: make each of them fail instead.
  beforeEach(() => {
    if (upError) throw upError;
  });
  afterAll(async () => {
    await labDown();
  }, 60_000);
  return () => {
    if (!lab) throw upError ?? new Error("the lab is not up");
    return lab;
  };
}

/** A git repository holding the example network, pinned to the lab's host keys. */
export function makeLabRepo(lab: Lab): LabRepo {
  const dir = mkdtempSync(join(tmpdir(), "reconciler-lab-repo-"));
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  writeFileSync(join(dir, "inventory", "known_hosts"), readFileSync(lab.knownHostsPath, "utf8"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=lab", "-c", "user.email=lab@example.net", ...args], { cwd: dir });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "example network pinned to the lab");
  return { dir, env: { RECONCILER_SSH_KEY: lab.privateKeyPath } };
}

export function removeLabRepo(repo: LabRepo | undefined): void {
  if (repo) rmSync(repo.dir, { recursive: true, force: true });
}
