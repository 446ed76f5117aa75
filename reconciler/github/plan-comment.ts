// The one pull request comment that shows the plan. It is found again by the hidden marker on its
// first line and edited in place on every push, so that a pull request pushed twenty times has
// one plan comment (the current one), not twenty.
import type { Plan } from "../model/plan.ts";
import { impactMarkdown } from "../report/impact-text.ts";
import type { GitHubRepo } from "./client.ts";
import { BODY_LIMIT, byteLength } from "./markdown.ts";
import { deviceTable, planHeadline, planTextBlock, shortHash } from "./plan-summary.ts";

export const PLAN_COMMENT_MARKER = "<!-- reconciler-plan -->";

export interface PlanCommentInput {
  headSha: string;
  plan: Plan;
  text: string;
  planHash: string;
  logUrl?: string;
}

// The device table may take this much of the body; the plan text gets the rest. A table of a
// thousand devices fits in it; beyond that the table says how many more there are.
const TABLE_BUDGET = 24_000;
// The routing impact (its path lines and picture) after the table: dropped piece by piece beyond this.
const IMPACT_BUDGET = 16_000;

/** The comment's body, marker first, within GitHub's 65,536-character limit. */
export function planCommentBody(input: PlanCommentInput): string {
  const { plan, headSha, planHash } = input;
  const head = [
    PLAN_COMMENT_MARKER,
    `### reconciler plan: ${planHeadline(plan)}`,
    "",
    `Plan \`${planHash}\` for commit ${headSha}.`,
    `If ${headSha.slice(0, 7)} is not the pull request's latest commit, this plan is outdated: a push runs a new plan and edits this comment.`,
    "",
    "",
  ].join("\n");
  const table = `${deviceTable(plan, TABLE_BUDGET)}\n${impactMarkdown(plan.impact, IMPACT_BUDGET)}`;
  const lines = input.text.replace(/\n+$/, "").split("\n").length;
  const open = `<details><summary>Plan text (plan ${shortHash(planHash)}, ${lines} lines)</summary>\n\n`;
  const close = "\n</details>\n";
  const fixed = byteLength(head) + byteLength(table) + byteLength(open) + byteLength(close);
  return head + table + open + planTextBlock(input.text, BODY_LIMIT - fixed, input.logUrl) + close;
}

/** The id of the pull request's plan comment: the first comment whose body starts with the marker. */
export async function findPlanComment(gh: GitHubRepo, pullNumber: number): Promise<number | undefined> {
  // Comments come oldest first; the plan comment is usually among the first, so stop at it
  // rather than reading every page of a long discussion.
  const pages = gh.octokit.paginate.iterator(gh.octokit.rest.issues.listComments, {
    owner: gh.owner,
    repo: gh.repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = page.data.find((c) => (c.body ?? "").trimStart().startsWith(PLAN_COMMENT_MARKER));
    if (found) return found.id;
  }
  return undefined;
}

/** Creates the plan comment, or edits the one there is. */
export async function upsertPlanComment(
  gh: GitHubRepo,
  pullNumber: number,
  body: string,
): Promise<{ commentId: number; created: boolean }> {
  const existing = await findPlanComment(gh, pullNumber);
  if (existing !== undefined) {
    await gh.octokit.rest.issues.updateComment({
      owner: gh.owner,
      repo: gh.repo,
      comment_id: existing,
      body,
    });
    return { commentId: existing, created: false };
  }
  const { data } = await gh.octokit.rest.issues.createComment({
    owner: gh.owner,
    repo: gh.repo,
    issue_number: pullNumber,
    body,
  });
  return { commentId: data.id, created: true };
}
