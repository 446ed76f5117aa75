// Drift pull requests: one branch and one open pull request per drift scope. Night after night
// the caller pushes the scope's branch again (the git side is not here) and this updates the
// pull request that is open for it, so a drift that lasts a week is one pull request, not seven;
// when the drift is gone, the pull request is closed with a comment saying why.
//
// The pull request is found by its head branch (`owner:branch`, open ones only): GitHub allows
// one open pull request per head and base, and the branch name is the scope's, so the branch is
// the identity. The scope is also written into a hidden marker in the body for a reader.
import type { GitHubRepo } from "./client.ts";
import { fitBody, hiddenMarker, markedBody } from "./markdown.ts";

export interface DriftPullRequestInput {
  /** The drift scope (e.g. a site or a device glob): one pull request per scope. */
  scope: string;
  /** The branch the caller already pushed, without owner (e.g. reconciler/drift/site-a). */
  branch: string;
  /** The branch to merge into, e.g. main. */
  base: string;
  title: string;
  body: string;
}

/** The marker a drift pull request's body starts with. */
export const driftPullRequestMarker = (scope: string): string =>
  hiddenMarker(`reconciler-drift-pr scope=${scope.replace(/-{2,}/g, "-")}`);

interface OpenPull {
  number: number;
  base: string;
}

/** The open pull request whose head is `owner:branch` in this repository, if any. */
export async function findDriftPullRequest(gh: GitHubRepo, branch: string): Promise<OpenPull | undefined> {
  const { data } = await gh.octokit.rest.pulls.list({
    owner: gh.owner,
    repo: gh.repo,
    state: "open",
    head: `${gh.owner}:${branch}`,
    per_page: 100,
  });
  // The head filter is GitHub's; the check is ours, so that a server that ignored it (or a fork
  // with the same branch name) cannot make us edit someone else's pull request.
  const pull = data.find((p) => p.head.ref === branch && p.head.repo?.full_name === `${gh.owner}/${gh.repo}`);
  return pull ? { number: pull.number, base: pull.base.ref } : undefined;
}

export async function upsertDriftPullRequest(
  gh: GitHubRepo,
  input: DriftPullRequestInput,
): Promise<{ number: number; action: "created" | "updated" }> {
  const body = markedBody(driftPullRequestMarker(input.scope), input.body);
  const existing = await findDriftPullRequest(gh, input.branch);
  if (existing) {
    await gh.octokit.rest.pulls.update({
      owner: gh.owner,
      repo: gh.repo,
      pull_number: existing.number,
      title: input.title,
      body,
      ...(existing.base !== input.base ? { base: input.base } : {}),
    });
    return { number: existing.number, action: "updated" };
  }
  const { data } = await gh.octokit.rest.pulls.create({
    owner: gh.owner,
    repo: gh.repo,
    head: input.branch,
    base: input.base,
    title: input.title,
    body,
    maintainer_can_modify: false,
  });
  return { number: data.number, action: "created" };
}

/**
 * Closes the open drift pull request of `branch` with `comment` (why: the drift is gone), or
 * returns undefined when there is none. The branch itself is left to the git side.
 */
export async function closeDriftPullRequest(
  gh: GitHubRepo,
  input: { branch: string; comment: string },
): Promise<{ number: number } | undefined> {
  const existing = await findDriftPullRequest(gh, input.branch);
  if (!existing) return undefined;
  // The comment first: a pull request closed without a word looks like a mistake.
  await gh.octokit.rest.issues.createComment({
    owner: gh.owner,
    repo: gh.repo,
    issue_number: existing.number,
    body: fitBody(input.comment),
  });
  await gh.octokit.rest.pulls.update({
    owner: gh.owner,
    repo: gh.repo,
    pull_number: existing.number,
    state: "closed",
  });
  return { number: existing.number };
}
