// Commit statuses: how a rollout reports on the commit it applied (pending while it runs, then
// success or failure), beside the checks. Statuses work with any token that can push, unlike
// check runs, which only a GitHub App (such as Actions' GITHUB_TOKEN) can create.
import type { GitHubRepo } from "./client.ts";

export type CommitState = "pending" | "success" | "failure" | "error";

export interface CommitStatusInput {
  state: CommitState;
  /** Cut to GitHub's 140 characters, with "..." when cut. */
  description: string;
  /** The status's name on the commit, e.g. "reconciler/apply"; a new one with the same context replaces it. */
  context: string;
  targetUrl?: string;
}

/** GitHub's limit on a status description. */
export const STATUS_DESCRIPTION_LIMIT = 140;

/** One line of at most 140 characters (code points, never half of one). */
export function statusDescription(text: string): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  if (chars.length <= STATUS_DESCRIPTION_LIMIT) return chars.join("");
  return `${chars.slice(0, STATUS_DESCRIPTION_LIMIT - 3).join("")}...`;
}

export async function setCommitStatus(
  gh: GitHubRepo,
  sha: string,
  status: CommitStatusInput,
): Promise<{ id: number }> {
  const { data } = await gh.octokit.rest.repos.createCommitStatus({
    owner: gh.owner,
    repo: gh.repo,
    sha,
    state: status.state,
    description: statusDescription(status.description),
    context: status.context,
    ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
  });
  return { id: data.id };
}
