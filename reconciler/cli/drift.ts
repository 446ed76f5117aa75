// `reconciler drift`: reads every device and reports how it differs from git: a summary on
// stdout, the Markdown report (--report, for a workflow summary or a pull request), the report
// as JSON (--json). Exit 0 in sync, 2 drift, 1 a device could not be read (a drift run never
// ends green and silent when it could not see everything).
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { driftMarkdown } from "../drift/markdown.ts";
import { type DriftReport, driftReport } from "../drift/report.ts";
import { GitRevisionReader } from "../git/revision-reader.ts";
import { syncDriftPullRequests } from "../gitops/drift-prs.ts";
import type { LiveState } from "../model/live.ts";
import type { Plan } from "../model/plan.ts";
import { selectDevices } from "../model/select.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { safeLine } from "../report/terminal-safe.ts";
import { newRunId, StateStore } from "../state/store.ts";
import { type ApplyDeps, applyCommand } from "./apply.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { githubOrExplain } from "./github-env.ts";
import { cliHooks } from "./hooks-run.ts";
import { loadSelected, type RepoOptions, type Selected } from "./open-repo.ts";
import { type PlanDeps, readAndPlan } from "./plan.ts";
import { stateDir } from "./run-lock.ts";

export interface DriftOptions extends RepoOptions {
  limit?: string;
  /** K/N: only shard K of N of the fleet (model/shard.ts), as plan --shard. */
  shard?: string;
  /** One pull request per drifted device adopting what it runs, updated nightly; an issue for what cannot be read. */
  openPr?: boolean;
  /** The branch drift pull requests go into (default: $GITHUB_REF_NAME, else main). */
  base?: string;
  /** The remote the drift branches are pushed to. */
  remote?: string;
  /** Devices (names or labels) whose drift is reverted by an apply instead of proposed: off by default. */
  revert?: string;
  /** Write the Markdown report here. */
  report?: string;
  /** Write the report (and the plan behind it) as JSON here. */
  json?: string;
}

export interface DriftRun {
  selected: Selected;
  plan: Plan;
  report: DriftReport;
  markdown: string;
  /** What each readable device runs (drift pull requests adopt from it). */
  live: Map<string, LiveState>;
}

/** Plans the fleet and builds the report; what `drift` prints and what the GitOps loop acts on. */
export async function runDrift(selected: Selected, deps: PlanDeps, now = new Date()): Promise<DriftRun> {
  const { plan, inputs } = await readAndPlan(selected, deps);
  const report = driftReport(plan, selected.repo, {
    ranAt: now,
    ...(selected.commit ? { revision: selected.commit } : {}),
  });
  const live = new Map<string, LiveState>();
  for (const i of inputs) if (!("error" in i.live)) live.set(i.device.name, i.live as LiveState);
  return { selected, plan, report, markdown: driftMarkdown(report, plan), live };
}

export const driftExitCode = (r: DriftReport) =>
  r.totals.unreachable > 0 ? EXIT.error : r.totals.drifted > 0 ? EXIT.changes : EXIT.ok;

export function driftSummary(r: DriftReport): string {
  const lines = r.devices.map(
    (d) =>
      `${safeLine(d.device)} (${safeLine(d.platform)}): ${d.state}${d.changes > 0 ? `, ${d.changes} item(s) differ` : ""}${d.unmanaged > 0 ? `, ${d.unmanaged} unmanaged` : ""}`,
  );
  for (const l of r.links.filter((x) => x.state !== "up"))
    lines.push(`link ${safeLine(l.name)}: ${l.state} (${l.why.map(safeLine).join("; ")})`);
  lines.push(
    `Drift at ${r.ranAt}: ${r.totals["in-sync"]} in sync, ${r.totals.drifted} drifted, ${r.totals.unreachable} unreachable, ${r.totals.unsupported} without a driver, of ${r.covered.devices} devices read.`,
  );
  return `${lines.join("\n")}\n`;
}

export async function driftCommand(
  opts: DriftOptions,
  deps: PlanDeps & Partial<ApplyDeps>,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const env = deps.env ?? process.env;
  // The issue listing unreadable devices is one for the whole fleet: a shard would close or
  // rewrite what another shard reported in it.
  if (opts.shard !== undefined && opts.openPr)
    throw new CliError(
      "--open-pr cannot be combined with --shard: the drift issue covers the whole fleet (run drift --open-pr unsharded)",
      EXIT.usage,
    );
  // Everything --open-pr needs is checked before any device is read.
  const gh = opts.openPr ? githubOrExplain(env, "--open-pr") : undefined;
  if (opts.revert !== undefined && !deps.applyDrivers)
    throw new CliError("--revert needs the apply drivers", EXIT.usage);
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const run = await runDrift(selected, deps);
  if (opts.report) await writeFile(opts.report, redactRunSecrets(run.markdown), { mode: 0o644 });
  if (opts.json)
    await writeFile(
      opts.json,
      redactRunSecrets(`${JSON.stringify({ report: run.report, plan: run.plan }, null, 2)}\n`),
      { mode: 0o600 },
    );
  out.write(driftSummary(run.report));
  const reverting = new Set(
    opts.revert !== undefined
      ? selectDevices(Object.values(selected.repo.devices), opts.revert)
          .map((d) => d.name)
          .filter((n) => run.report.devices.some((d) => d.device === n && d.state === "drifted"))
      : [],
  );
  if (gh) {
    if (!selected.commit)
      throw new CliError("--open-pr needs a git repository with a commit to base the pull requests on");
    const root = resolve(opts.repo ?? process.cwd());
    const prs = await syncDriftPullRequests(gh, {
      root,
      remote: opts.remote ?? "origin",
      base: { branch: opts.base ?? env.GITHUB_REF_NAME ?? "main", commit: selected.commit },
      repo: selected.repo,
      files: await desiredFiles(root, selected.commit),
      plan: run.plan,
      live: run.live,
      report: run.report,
      reverting,
    });
    for (const p of prs.opened)
      out.write(
        `${safeLine(p.device)}: drift pull request #${p.number} ${p.action}${p.pushed ? "" : " (its commit unchanged)"}\n`,
      );
    for (const p of prs.closed)
      out.write(`${safeLine(p.device)}: drift gone, pull request #${p.number} closed\n`);
    if (prs.issue) out.write(`issue #${prs.issue.number} ${prs.issue.action}\n`);
  }
  if (reverting.size > 0 && deps.applyDrivers) {
    // Automatic revert, switched on per scope by the operator: the devices back as git has them.
    out.write(`reverting the drift of ${[...reverting].map(safeLine).join(", ")}\n`);
    const code = await applyCommand(
      undefined,
      { ...(opts.repo ? { repo: opts.repo } : {}), limit: [...reverting].join(","), yes: true },
      deps as ApplyDeps,
      out,
      color,
    );
    if (code !== EXIT.ok) return EXIT.error;
  }
  if (run.report.totals.drifted + run.report.totals.unreachable > 0)
    await cliHooks({
      repo: opts.repo,
      runId: newRunId(),
      command: "drift",
      revision: selected.commit,
      store: new StateStore(stateDir(opts.repo)),
      err: process.stderr,
    }).run("on-drift", {
      devices: run.plan.devices
        .filter((d) => d.status === "changes")
        .map((d) => ({ device: d.device, platform: d.platform, changes: d.changes.length })),
      errors: run.plan.devices
        .filter((d) => d.status === "error")
        .map((d) => ({ device: d.device, error: d.error ?? { kind: "Unknown", message: "unreadable" } })),
    });
  return driftExitCode(run.report);
}

/** desired/ at the base commit: what the adopting commits edit. */
async function desiredFiles(root: string, commit: string): Promise<Map<string, string>> {
  const reader = await GitRevisionReader.open(root, commit);
  const files = new Map<string, string>();
  for (const path of await reader.list("desired")) {
    const text = await reader.read(path);
    if (text !== undefined) files.set(path, text);
  }
  return files;
}
