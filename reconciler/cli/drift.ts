// `reconciler drift`: reads every device and reports how it differs from git: a summary on
// stdout, the Markdown report (--report, for a workflow summary or a pull request), the report
// as JSON (--json). Exit 0 in sync, 2 drift, 1 a device could not be read (a drift run never
// ends green and silent when it could not see everything).
import { writeFile } from "node:fs/promises";
import { driftMarkdown } from "../drift/markdown.ts";
import { type DriftReport, driftReport } from "../drift/report.ts";
import type { Plan } from "../model/plan.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { safeLine } from "../report/terminal-safe.ts";
import { newRunId, StateStore } from "../state/store.ts";
import { EXIT } from "./exit-codes.ts";
import { cliHooks } from "./hooks-run.ts";
import { loadSelected, type RepoOptions, type Selected } from "./open-repo.ts";
import { type PlanDeps, planFleet } from "./plan.ts";
import { stateDir } from "./run-lock.ts";

export interface DriftOptions extends RepoOptions {
  limit?: string;
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
}

/** Plans the fleet and builds the report; what `drift` prints and what the GitOps loop acts on. */
export async function runDrift(selected: Selected, deps: PlanDeps, now = new Date()): Promise<DriftRun> {
  const plan = await planFleet(selected, deps);
  const report = driftReport(plan, selected.repo, {
    ranAt: now,
    ...(selected.commit ? { revision: selected.commit } : {}),
  });
  return { selected, plan, report, markdown: driftMarkdown(report, plan) };
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
  deps: PlanDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
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
