// `reconciler apply` refusals that happen before any device is contacted.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { ROOT } from "../helpers/example-repo.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-apply-cli-"));
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reconciler apply refuses before touching anything", () => {
  it("a file that is not a saved plan", () => {
    const file = join(dir, "not-a-plan.json");
    writeFileSync(file, '{"hello": 1}\n');
    const r = runCli(["apply", file, "--repo", dir, "--yes"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/is not a plan written by reconciler plan --out/);
  });

  it("a confirm timeout that leaves no time to confirm after the health gates", () => {
    const r = runCli(["apply", "--repo", dir, "--yes", "--confirm-timeout", "60", "--health-timeout", "90"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--confirm-timeout must leave at least 30 s after --health-timeout/);
  });

  it("a --parallel that is not a count of devices", () => {
    for (const bad of ["0", "-1", "2.5", "many"]) {
      const r = runCli(["apply", "--repo", dir, "--yes", "--parallel", bad]);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/--parallel must be a whole number of devices, at least 1/);
    }
  });

  it("unlock without --run, or with a run id that is not one", () => {
    expect(runCli(["unlock", "router-a", "--repo", dir]).code).toBe(64);
    const r = runCli(["unlock", "router-a", "--repo", dir, "--run", "x;reboot"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--run: not a run id/);
  });

  it("an invalid desired state, with every problem and no device contacted", () => {
    const bad = mkdtempSync(join(tmpdir(), "reconciler-apply-bad-"));
    try {
      cpSync(dir, bad, { recursive: true });
      writeFileSync(join(bad, "desired", "links.yaml"), "links: [\n");
      const r = runCli(["apply", "--repo", bad, "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^desired\/links\.yaml:\d+:\d+: error: invalid YAML/m);
      expect(r.stdout).toMatch(/invalid desired state: no device was contacted/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it("a --limit that matches no device", () => {
    const r = runCli(["apply", "--repo", dir, "--yes", "--limit", "nothing-*"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/matches no device/);
  });
});
