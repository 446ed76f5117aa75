// `reconciler plan`: what would change on each device. Exit 0 = no changes, 2 = changes,
// 1 = an error (invalid input, or a device that could not be read), always: Terraform's
// -detailed-exitcode without the flag, since CI branches on 2 and "did it work" is 0 or 2 alike
// (README, "3. Plan"). Readable on a terminal (report/plan-text.ts), JSON for machines (every
// change with its path, before and after), a saved plan with --out. What stops every device alike
// (a missing credential) is refused once before any connection (read-fleet.ts).
import { writeFile } from "node:fs/promises";
import type { Driver } from "../drivers/driver.ts";
import { publishPlan } from "../github/plan-check.ts";
import { type Plan, planHasChanges, planHasErrors } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { planHash } from "../plan/hash.ts";
import { type DeviceInput, plan } from "../plan/planner.ts";
import { formatPlan } from "../report/plan-text.ts";
import { createProgress } from "../report/progress.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { safeLine } from "../report/terminal-safe.ts";
import { newRunId, StateStore } from "../state/store.ts";
import type { Transport } from "../transport/session.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { githubOrExplain, pullRequestOf, runLogUrl } from "./github-env.ts";
import { cliHooks } from "./hooks-run.ts";
import { planImpact } from "./impact-base.ts";
import { loadSelected, type RepoOptions, type Selected } from "./open-repo.ts";
import { readFleet } from "./read-fleet.ts";
import { stateDir } from "./run-lock.ts";

export interface PlanCommandOptions extends RepoOptions {
  limit?: string;
  /** K/N: only shard K of N of the fleet (model/shard.ts), intersected with --limit. */
  shard?: string;
  out?: string;
  json?: boolean;
  /** On a pull request in GitHub Actions: a check run and one comment, edited in place. */
  github?: boolean;
  /** The revision the routing impact compares with (default: impact-base.ts chooses). */
  impactBase?: string;
}

export interface PlanDeps {
  drivers: Readonly<Partial<Record<string, Driver>>>;
  openTransport: (repo: DesiredRepo, knownHosts: string) => Transport;
  /** Where GITHUB_* come from (plan --github). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What a sharded plan says first: which shard, and its devices (an empty shard says so). */
export function shardHeader(shard: { shard: string; devices: string[] }): string {
  const n = shard.devices.length;
  if (n === 0) return `shard ${shard.shard}: no device (more shards than groups of sites)\n`;
  return `shard ${shard.shard}: ${n} device(s): ${shard.devices.map(safeLine).join(", ")}\n`;
}

export function exitCodeFor(p: Plan): number {
  if (planHasErrors(p)) return EXIT.error;
  return planHasChanges(p) ? EXIT.changes : EXIT.ok;
}

/** Reads the selected devices and plans them: what plan, drift and the GitOps loop start with. */
export async function readAndPlan(
  selected: Selected,
  deps: PlanDeps,
): Promise<{ plan: Plan; inputs: DeviceInput[] }> {
  const transport = deps.openTransport(selected.repo, selected.knownHosts);
  try {
    const inputs = await readFleet(
      selected.repo,
      selected.devices,
      transport,
      deps.drivers,
      createProgress(),
    );
    const result = plan(inputs, {
      origin: selected.origin,
      drivers: deps.drivers,
      ...(selected.commit ? { revision: selected.commit } : {}),
    });
    if (selected.shard) result.shard = selected.shard;
    return { plan: result, inputs };
  } finally {
    await transport.closeAll();
  }
}

export const planFleet = async (selected: Selected, deps: PlanDeps): Promise<Plan> =>
  (await readAndPlan(selected, deps)).plan;

export async function planCommand(
  opts: PlanCommandOptions,
  deps: PlanDeps,
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  // Everything --github needs is checked before any device is read.
  const env = deps.env ?? process.env;
  // One check run and one comment per pull request: a shard publishing its part would replace
  // another shard's. The merged plan is published (merge-plans --github).
  if (opts.github && opts.shard !== undefined)
    throw new CliError(
      "--github cannot be combined with --shard: publish the merged plan with merge-plans --github",
      EXIT.usage,
    );
  const github = opts.github
    ? { gh: githubOrExplain(env, "--github"), pr: await pullRequestOf(env) }
    : undefined;
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const hooks = cliHooks({
    repo: opts.repo,
    runId: newRunId(),
    command: "plan",
    revision: selected.commit,
    store: new StateStore(stateDir(opts.repo)),
    err: process.stderr,
  });
  const pre = await hooks.run("pre-plan", {
    selection: { ...(opts.limit ? { limit: opts.limit } : {}), devices: selected.devices.map((d) => d.name) },
  });
  if (pre.aborted) {
    out.write(`refusing to plan: ${pre.reason ?? "a pre-plan hook failed"}; no device was contacted\n`);
    return EXIT.error;
  }
  const result = await planFleet(selected, deps);
  const impact = await planImpact(selected.repo, opts, env);
  if (impact) result.impact = impact;
  if (opts.out)
    await writeFile(opts.out, redactRunSecrets(`${JSON.stringify(result, null, 2)}\n`), { mode: 0o600 });
  if (!opts.json && result.shard) out.write(shardHeader(result.shard));
  out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result, { color }));
  if (github) await publishToPullRequest(github, result, env);
  return exitCodeFor(result);
}

/** The check run and the one comment on the pull request (plan --github, merge-plans --github). */
export async function publishToPullRequest(
  github: { gh: ReturnType<typeof githubOrExplain>; pr: Awaited<ReturnType<typeof pullRequestOf>> },
  result: Plan,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const logUrl = runLogUrl(env);
  const hash = planHash(result);
  const r = await publishPlan(github.gh, {
    headSha: github.pr.headSha,
    pullNumber: github.pr.number,
    plan: result,
    text: redactRunSecrets(formatPlan(result, { color: false })),
    planHash: hash,
    ...(logUrl ? { logUrl } : {}),
  });
  process.stderr.write(
    `plan ${hash.slice(0, 12)} for ${github.pr.headSha.slice(0, 12)}: check run ${r.checkRunId}, comment ${r.commentId} ${r.created ? "created" : "updated"} on pull request #${github.pr.number}\n`,
  );
}
