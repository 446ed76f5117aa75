// The GitHub Actions workflows in .github/workflows/: each parses, has the triggers, permissions
// and concurrency the GitOps loop relies on, and every reconciler command it runs exists in the
// CLI (program.ts) with every flag it passes.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { program } from "../../reconciler/cli/program.ts";
import { ROOT } from "../helpers/example-repo.ts";

const DIR = join(ROOT, ".github", "workflows");
type Workflow = {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<
    string,
    { "runs-on": unknown; environment?: string; steps: { run?: string; uses?: string }[] }
  >;
};
const load = (name: string): Workflow => YAML.parse(readFileSync(join(DIR, name), "utf8"), { strict: true });

/** Every `./bin/reconciler.js <command> ...` line of a workflow: the command and the flags. */
function invocations(w: Workflow): { command: string; flags: string[]; line: string }[] {
  const found: { command: string; flags: string[]; line: string }[] = [];
  for (const job of Object.values(w.jobs))
    for (const step of job.steps)
      for (const line of (step.run ?? "").split("\n")) {
        const m = /\.\/bin\/reconciler\.js\s+([a-z-]+)(.*)$/.exec(line);
        if (m?.[1])
          found.push({
            command: m[1],
            flags: [...(m[2] ?? "").matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((f) => f[0]),
            line,
          });
      }
  return found;
}

const cli: Command = program(() => {});

describe("the GitHub workflows", () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".yml"))
    .sort();

  it("are the project's CI and the four of the GitOps loop", () => {
    expect(files).toEqual([
      "ci.yml",
      "drift.yml",
      "plan-shards.yml",
      "plan.yml",
      "rollback.yml",
      "rollout.yml",
    ]);
  });

  for (const file of files)
    it(`${file}: every reconciler command it runs exists, with every flag it passes`, () => {
      const calls = invocations(load(file));
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) {
        const sub = cli.commands.find((c) => c.name() === call.command);
        expect(sub, `${file}: ${call.line}`).toBeDefined();
        const known = new Set(sub?.options.map((o) => o.long));
        for (const flag of call.flags) expect(known.has(flag), `${file}: ${call.command} ${flag}`).toBe(true);
      }
    });

  it("plan: on pull requests of this repository, read-only credentials, may comment and check", () => {
    const w = load("plan.yml");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toMatchObject({ contents: "read", checks: "write", "pull-requests": "write" });
    const job = w.jobs.plan as Workflow["jobs"][string] & { if?: string };
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(JSON.stringify(job)).toContain("RECONCILER_READONLY_SSH_KEY");
    expect(invocations(w).map((c) => c.command)).toEqual(["validate", "plan"]);
  });

  it("plan-shards: one plan per shard of a matrix, merged and published; off unless RECONCILER_SHARDS is set", () => {
    const w = load("plan-shards.yml");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toMatchObject({ contents: "read", checks: "write", "pull-requests": "write" });
    const jobs = w.jobs as Record<
      string,
      Workflow["jobs"][string] & { if?: string; needs?: string; strategy?: unknown }
    >;
    expect(jobs.shards?.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(jobs.shards?.if).toContain("vars.RECONCILER_SHARDS != ''");
    expect(jobs.plan?.needs).toBe("shards");
    expect(jobs.plan?.strategy).toEqual({
      "fail-fast": false,
      matrix: { shard: expect.stringContaining("fromJSON(needs.shards.outputs.list)") },
    });
    expect(jobs.merge?.needs).toBe("plan");
    expect(JSON.stringify(jobs.plan)).toContain("RECONCILER_READONLY_SSH_KEY");
    const calls = invocations(w);
    expect(calls.map((c) => c.command)).toEqual(["validate", "plan", "merge-plans"]);
    expect(calls[1]?.line).toContain('--shard "$SHARD/$SHARDS"');
    expect(calls[2]?.flags).toEqual(["--github", "--out"]);
    expect(calls[2]?.line).toContain("shards/plan-shard-*.json");
  });

  it("rollout: on push to main, production environment, one run at a time never cancelled", () => {
    const w = load("rollout.yml");
    expect(w.on).toEqual({ push: { branches: ["main"], paths: ["inventory/**", "desired/**"] } });
    expect(w.concurrency).toEqual({ group: "reconciler-rollout", "cancel-in-progress": false });
    expect(w.jobs.rollout?.environment).toBe("production");
    expect(w.jobs.rollout?.["runs-on"]).toEqual(["self-hosted", "reconciler"]);
    expect(invocations(w).find((c) => c.command === "apply")?.flags).toEqual(["--yes", "--github"]);
  });

  it("drift: nightly off the hour, opens pull requests, fails when a device could not be read", () => {
    const w = load("drift.yml");
    const cron = (w.on.schedule as { cron: string }[])[0]?.cron ?? "";
    const [minute, hour] = cron.split(" ");
    expect(minute).not.toBe("0");
    expect(Number(minute)).toBeGreaterThan(0);
    expect(hour).toMatch(/^\d+$/);
    expect(invocations(w).find((c) => c.command === "drift")?.flags).toEqual([
      "--report",
      "--json",
      "--open-pr",
    ]);
    expect(w.jobs.drift?.steps.map((s) => s.run ?? "").join("\n")).toContain(
      'test "$status" -eq 0 || test "$status" -eq 2',
    );
  });

  it("rollback: by hand, to the last confirmed configuration or a revision, inputs never spliced into the script", () => {
    const w = load("rollback.yml");
    expect(Object.keys(w.on)).toEqual(["workflow_dispatch"]);
    const script = w.jobs.rollback?.steps.map((s) => s.run ?? "").join("\n") ?? "";
    expect(script).not.toContain("${{");
    expect(invocations(w).map((c) => c.flags.filter((f) => f.startsWith("--to")))).toEqual([
      ["--to"],
      ["--to-last-confirmed"],
    ]);
    expect(w.concurrency?.group).toBe("reconciler-rollout");
  });

  it("no workflow splices an expression into a shell script", () => {
    for (const file of files)
      for (const job of Object.values(load(file).jobs))
        for (const step of job.steps) expect(step.run ?? "", `${file}`).not.toMatch(/\$\{\{/);
  });
});
