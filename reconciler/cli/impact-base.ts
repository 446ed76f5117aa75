// The "before" of a plan's routing impact: the desired state at an earlier revision. Chosen, in
// order: --impact-base; on a pull request (--github), the pull request's base commit; the revision
// of the newest run that confirmed a device (what the network runs); else the plan's own parent
// (HEAD for the working tree, REV^ for --revision). Loading may fail (a shallow clone, an invalid
// old revision): the plan then says why it has no impact section, and is otherwise unaffected.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DESCRIPTORS } from "../drivers/descriptors.ts";
import { headCommit } from "../git/head.ts";
import { GitRevisionReader } from "../git/revision-reader.ts";
import { impactOf, type PlanImpact, refusals } from "../impact/impact.ts";
import { loadRepo } from "../load/load.ts";
import { hasErrors } from "../model/diagnostic.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { readRunRecords } from "../state/runs.ts";
import { stateDir } from "./run-lock.ts";

export interface ImpactBaseOptions {
  repo?: string;
  revision?: string;
  impactBase?: string;
  github?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

async function pullRequestBase(env: Env): Promise<string | undefined> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return undefined;
  try {
    const text = await readFile(path, "utf8");
    if (text.length > 25 * 1024 * 1024) return undefined;
    const sha = (JSON.parse(text) as { pull_request?: { base?: { sha?: unknown } } }).pull_request?.base?.sha;
    return typeof sha === "string" && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

async function lastConfirmedRevision(repo: string | undefined): Promise<string | undefined> {
  try {
    const { records } = await readRunRecords(stateDir(repo));
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i];
      if (r?.revision && r.devices.some((d) => d.result === "confirmed")) return r.revision;
    }
  } catch {
    // No state store yet: no run ever confirmed anything.
  }
  return undefined;
}

/** Which revision to compare with, and why; undefined outside git (nothing to compare with). */
export async function chooseBase(
  opts: ImpactBaseOptions,
  env: Env,
): Promise<{ revision: string; why: string } | undefined> {
  if (opts.impactBase) return { revision: opts.impactBase, why: "--impact-base" };
  if (!(await headCommit(resolve(opts.repo ?? process.cwd())))) return undefined;
  const pr = opts.github ? await pullRequestBase(env) : undefined;
  if (pr) return { revision: pr, why: "the pull request's base" };
  const run = await lastConfirmedRevision(opts.repo);
  if (run) return { revision: run, why: "the newest confirmed run" };
  return opts.revision
    ? { revision: `${opts.revision}^`, why: "the parent of --revision" }
    : { revision: "HEAD", why: "the last commit (the plan reads the working tree)" };
}

/** The desired state at a revision, or why it cannot be read. */
export async function loadAt(repo: string | undefined, revision: string): Promise<DesiredRepo | string> {
  try {
    const reader = await GitRevisionReader.open(resolve(repo ?? process.cwd()), revision);
    const loaded = await loadRepo(reader, { descriptors: DESCRIPTORS });
    if (!loaded.repo || hasErrors(loaded.diagnostics))
      return `the desired state at ${revision} does not validate`;
    return loaded.repo;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The plan's impact against its base, or a sentence saying why there is none. */
export async function planImpact(
  after: DesiredRepo,
  opts: ImpactBaseOptions,
  env: Env,
): Promise<PlanImpact | string | undefined> {
  const base = await chooseBase(opts, env);
  if (!base) return undefined;
  const before = await loadAt(opts.repo, base.revision);
  if (typeof before === "string") return `no routing impact: ${before}`;
  return { base, ...impactOf(before, after) };
}

/** The refusal apply makes, as the lockout analysis makes its own: nothing touched, an override named. */
export function unreachableRefusal(impact: PlanImpact): string[] {
  return refusals(impact).map(
    (c) =>
      `${c.router} → ${c.prefix}: reached today (${c.before.via.join(", ") || c.before.reach}), ${c.after.reach} after`,
  );
}
