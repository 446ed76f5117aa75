// `reconciler apply` refusals that happen before any device is contacted.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
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

  it("rollout flags that are not a count, a percentage or seconds", () => {
    const cases: [string[], RegExp][] = [
      [["--batch", "0"], /--batch must be a number of devices \(at least 1\) or a percentage such as 25%/],
      [["--batch", "150%"], /--batch must be a number of devices/],
      [["--max-fail-percentage", "101"], /--max-fail-percentage must be a whole number from 0 to 100/],
      [["--wave-soak", "1m"], /--wave-soak must be a whole number of seconds/],
      [["--canary", "site=pop 1"], /--canary: "site=pop 1" is neither a name glob/],
    ];
    for (const [flags, message] of cases) {
      const r = runCli(["apply", "--repo", dir, "--yes", ...flags]);
      expect(r.code, flags.join(" ")).toBe(64);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe("the repository's run lock", () => {
  const lockFile = () => join(dir, ".reconciler", "state", "run.lock");
  const hold = (holder: object) => {
    mkdirSync(join(dir, ".reconciler", "state"), { recursive: true });
    writeFileSync(lockFile(), JSON.stringify(holder));
  };

  it("refuses apply and keys while another run holds it, naming the holder, and leaves its lock alone", () => {
    // This test's own process: alive on this host.
    hold({
      runId: "run-busy",
      host: hostname(),
      pid: process.pid,
      time: "2026-11-29T12:00:00Z",
      command: "apply",
    });
    try {
      for (const command of ["apply", "keys"]) {
        const r = runCli([command, "--repo", dir, ...(command === "apply" ? ["--yes"] : [])]);
        expect(r.code, command).toBe(1);
        expect(r.stderr).toMatch(
          new RegExp(
            `refusing to ${command}: another run holds the repository's run lock: run run-busy \\(apply, pid ${process.pid} on ${hostname()}, since 2026-11-29T12:00:00Z\\)`,
          ),
        );
        expect(existsSync(lockFile())).toBe(true);
      }
      // unlock --repo-lock refuses a holder that still runs here.
      const still = runCli(["unlock", "--repo-lock", "--run", "run-busy", "--repo", dir]);
      expect(still.code).toBe(1);
      expect(still.stdout).toMatch(/refusing: run run-busy .* is still running/);
    } finally {
      rmSync(lockFile(), { force: true });
    }
  });

  it("unlock --repo-lock frees a run lock held on another machine, by its run id only", () => {
    hold({ runId: "run-ci", host: "ci-runner-7", pid: 4242, time: "2026-11-29T12:00:00Z", command: "apply" });
    const wrong = runCli(["unlock", "--repo-lock", "--run", "run-other", "--repo", dir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/held by run run-ci .*, not by run run-other/);
    const r = runCli(["unlock", "--repo-lock", "--run", "run-ci", "--repo", dir]);
    expect(r.stdout).toMatch(/the repository's run lock of run run-ci is released/);
    expect(r.code).toBe(0);
    expect(existsSync(lockFile())).toBe(false);
    expect(runCli(["unlock", "--repo-lock", "router-a", "--run", "run-ci", "--repo", dir]).code).toBe(64);
  });
});

describe("reconciler rollback refuses before touching anything", () => {
  it("without a target, with both, or with --run beside --to", () => {
    expect(runCli(["rollback", "--repo", dir, "--yes"]).stderr).toMatch(/say where to roll back to/);
    expect(runCli(["rollback", "--repo", dir, "--yes", "--to-last-confirmed", "--to", "HEAD"]).code).toBe(64);
    const r = runCli(["rollback", "--repo", dir, "--yes", "--to", "HEAD", "--run", "x"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--run ID goes with --to-last-confirmed/);
  });

  it("a revision that does not exist, before the fleet is frozen", () => {
    const repo = mkdtempSync(join(tmpdir(), "reconciler-rollback-"));
    try {
      cpSync(dir, repo, { recursive: true });
      execFileSync("git", ["init", "-q"], { cwd: repo });
      const r = runCli(["rollback", "--repo", repo, "--yes", "--to", "no-such-revision"]);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/git revision "no-such-revision" does not exist/);
      expect(existsSync(join(repo, ".reconciler", "state", "freeze.json"))).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
