// `reconciler plan --github` on a pull request: a check run on the head commit and the one plan
// comment. Both carry the plan hash and the head commit, so that a plan computed for an older
// push is recognisable as outdated; the check run also holds the hash in its external_id.
//
// Limits (GitHub's): output.summary and output.text 65,535 characters each, and one output per
// check run, so the plan text is cut (with a note saying how much, pointing at the workflow log,
// where `reconciler plan` prints the whole plan); at most 50 annotations per request, so the
// check run is created with the first 50 and the others are appended by updates of 50 each
// (GitHub appends the annotations of each update to the ones already there).
import type { Plan } from "../model/plan.ts";
import type { GitHubRepo } from "./client.ts";
import { byteLength, CHECK_RUN_TEXT_LIMIT } from "./markdown.ts";
import { planCommentBody, upsertPlanComment } from "./plan-comment.ts";
import {
  type Annotation,
  deviceTable,
  planAnnotations,
  planConclusion,
  planHeadline,
  planTextBlock,
  shortHash,
} from "./plan-summary.ts";

export const PLAN_CHECK_NAME = "reconciler plan";
/** GitHub's limit on the annotations of one create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface PublishPlanInput {
  /** The pull request's head commit the plan was computed for. */
  headSha: string;
  pullNumber: number;
  plan: Plan;
  /** The plan as `reconciler plan` printed it (colours are stripped). */
  text: string;
  /** The hash that identifies this plan (and pins it to headSha). */
  planHash: string;
  /** Where the whole plan is printed (the workflow run), linked from the notes of a cut text. */
  logUrl?: string;
}

export interface PublishPlanResult {
  checkRunId: number;
  commentId: number;
  /** true when the comment was created, false when the existing one was edited. */
  created: boolean;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text: string;
}

/** The check run's output: the headline as title, the device table as summary, the plan text. */
export function planCheckOutput(input: Omit<PublishPlanInput, "pullNumber">): CheckRunOutput {
  const { plan, planHash, headSha } = input;
  const head = `**${planHeadline(plan)}**\n\nPlan \`${planHash}\` for commit ${headSha}.\n\n`;
  return {
    title: `${planHeadline(plan)} (plan ${shortHash(planHash)})`,
    summary: head + deviceTable(plan, CHECK_RUN_TEXT_LIMIT - byteLength(head)),
    text: planTextBlock(input.text, CHECK_RUN_TEXT_LIMIT, input.logUrl),
  };
}

/** Annotations in batches of at most 50, one batch per request. */
export function annotationBatches(annotations: Annotation[]): Annotation[][] {
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches;
}

/**
 * Creates the "reconciler plan" check run, completed, on headSha; annotations beyond the first
 * 50 are added by updates. Needs a token with checks:write (GITHUB_TOKEN in Actions has it when
 * the workflow grants it; a personal access token cannot create check runs).
 */
export async function createPlanCheckRun(
  gh: GitHubRepo,
  input: Omit<PublishPlanInput, "pullNumber">,
): Promise<number> {
  const output = planCheckOutput(input);
  const [first = [], ...rest] = annotationBatches(planAnnotations(input.plan));
  const { data } = await gh.octokit.rest.checks.create({
    owner: gh.owner,
    repo: gh.repo,
    name: PLAN_CHECK_NAME,
    head_sha: input.headSha,
    external_id: input.planHash,
    status: "completed",
    conclusion: planConclusion(input.plan),
    completed_at: new Date().toISOString(),
    ...(input.logUrl ? { details_url: input.logUrl } : {}),
    output: { ...output, ...(first.length > 0 ? { annotations: first } : {}) },
  });
  for (const batch of rest) {
    // The whole output again with each batch: an update's output replaces title, summary and
    // text, and an output without them would leave them as GitHub decides.
    await gh.octokit.rest.checks.update({
      owner: gh.owner,
      repo: gh.repo,
      check_run_id: data.id,
      output: { ...output, annotations: batch },
    });
  }
  return data.id;
}

/** The check run, then the comment (edited in place when there is one). */
export async function publishPlan(gh: GitHubRepo, input: PublishPlanInput): Promise<PublishPlanResult> {
  const checkRunId = await createPlanCheckRun(gh, input);
  const { commentId, created } = await upsertPlanComment(gh, input.pullNumber, planCommentBody(input));
  return { checkRunId, commentId, created };
}
