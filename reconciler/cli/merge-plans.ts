// `reconciler merge-plans FILE...`: the plans of `plan --shard K/N --json`, one per shard (a CI
// matrix, .github/workflows/plan-shards.yml), joined into one plan (plan/merge.ts): printed as
// plan prints it, saved with --out for a later apply, published on the pull request with --github.
// Exit codes as plan's: 0 no changes, 2 changes, 1 an error (a device a shard could not read, or
// pieces that do not make one fleet).
import { readFile, writeFile } from "node:fs/promises";
import type { Plan } from "../model/plan.ts";
import { MergeError, mergePlans, type NamedPlan } from "../plan/merge.ts";
import { formatPlan } from "../report/plan-text.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { CliError } from "./exit-codes.ts";
import { githubOrExplain, pullRequestOf } from "./github-env.ts";
import { exitCodeFor, publishToPullRequest } from "./plan.ts";

export interface MergePlansOptions {
  json?: boolean;
  out?: string;
  github?: boolean;
}

/** A shard's plan is a CI artifact: read as untrusted JSON, its shape checked before use. */
async function readPlan(file: string): Promise<NamedPlan> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CliError(
      `${file}: cannot read the plan: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file}: not JSON (${(err as Error).message}): expected the output of plan --json`);
  }
  const p = value as Partial<Plan> | null;
  if (
    p === null ||
    typeof p !== "object" ||
    !Array.isArray(p.devices) ||
    typeof p.createdAt !== "string" ||
    typeof p.origin !== "string" ||
    p.devices.some((d) => typeof d?.device !== "string")
  )
    throw new CliError(
      `${file}: not a plan (expected version, createdAt, origin and devices, as plan --json prints)`,
    );
  if (
    p.shard !== undefined &&
    (!Array.isArray(p.shard.devices) || p.shard.devices.some((d) => typeof d !== "string"))
  )
    throw new CliError(`${file}: "shard.devices" must be a list of device names`);
  return { file, plan: p as Plan };
}

export async function mergePlansCommand(
  files: readonly string[],
  opts: MergePlansOptions,
  out: NodeJS.WritableStream,
  color: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const github = opts.github
    ? { gh: githubOrExplain(env, "--github"), pr: await pullRequestOf(env) }
    : undefined;
  const plans = await Promise.all(files.map(readPlan));
  let merged: Plan;
  try {
    merged = mergePlans(plans);
  } catch (err) {
    if (err instanceof MergeError) throw new CliError(`cannot merge the plans: ${err.message}`);
    throw err;
  }
  if (opts.out)
    await writeFile(opts.out, redactRunSecrets(`${JSON.stringify(merged, null, 2)}\n`), { mode: 0o600 });
  out.write(opts.json ? `${JSON.stringify(merged, null, 2)}\n` : formatPlan(merged, { color }));
  if (github) await publishToPullRequest(github, merged, env);
  return exitCodeFor(merged);
}
