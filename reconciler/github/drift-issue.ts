// The issue that says why a drift run could not read devices. It is found again by a hidden
// marker in its body, among the repository's open issues labelled reconciler-drift (created when
// missing), so a device out of reach for a week is one issue kept up to date, not seven; the
// first run that reads the devices again closes it with a comment. A later outage opens a new
// issue: the closed one described another outage.
import type { GitHubRepo } from "./client.ts";
import { DRIFT_LABEL, ensureDriftLabel } from "./labels.ts";
import { fitBody, hiddenMarker, markedBody } from "./markdown.ts";

export interface DriftIssueInput {
  /** What identifies the issue: a hidden HTML comment (`<!-- ... -->`), or text made into one. */
  marker: string;
  title: string;
  body: string;
}

/** The open issue (not pull request) labelled reconciler-drift whose body holds the marker. */
export async function findDriftIssue(gh: GitHubRepo, marker: string): Promise<number | undefined> {
  const hidden = hiddenMarker(marker);
  const pages = gh.octokit.paginate.iterator(gh.octokit.rest.issues.listForRepo, {
    owner: gh.owner,
    repo: gh.repo,
    state: "open",
    labels: DRIFT_LABEL,
    per_page: 100,
  });
  for await (const page of pages) {
    // The issues API lists pull requests too; they have a pull_request key.
    const found = page.data.find((i) => !i.pull_request && (i.body ?? "").includes(hidden));
    if (found) return found.number;
  }
  return undefined;
}

export async function upsertDriftIssue(
  gh: GitHubRepo,
  input: DriftIssueInput,
): Promise<{ number: number; action: "created" | "updated" }> {
  const hidden = hiddenMarker(input.marker);
  const body = markedBody(hidden, input.body);
  const existing = await findDriftIssue(gh, hidden);
  if (existing !== undefined) {
    await gh.octokit.rest.issues.update({
      owner: gh.owner,
      repo: gh.repo,
      issue_number: existing,
      title: input.title,
      body,
    });
    return { number: existing, action: "updated" };
  }
  await ensureDriftLabel(gh);
  const { data } = await gh.octokit.rest.issues.create({
    owner: gh.owner,
    repo: gh.repo,
    title: input.title,
    body,
    labels: [DRIFT_LABEL],
  });
  // GitHub drops the labels of a new issue silently when the token may not set them; without
  // the label the next run would not find this issue and would open another.
  const labels = data.labels.map((l) => (typeof l === "string" ? l : l.name));
  if (!labels.includes(DRIFT_LABEL))
    gh.octokit.log.warn(
      `issue #${data.number} was created without the ${DRIFT_LABEL} label (the token may not set labels): the next run will not find it`,
    );
  return { number: data.number, action: "created" };
}

/** Closes the open issue with the marker, after a comment saying why; undefined when there is none. */
export async function closeDriftIssue(
  gh: GitHubRepo,
  input: { marker: string; comment: string },
): Promise<{ number: number } | undefined> {
  const existing = await findDriftIssue(gh, input.marker);
  if (existing === undefined) return undefined;
  await gh.octokit.rest.issues.createComment({
    owner: gh.owner,
    repo: gh.repo,
    issue_number: existing,
    body: fitBody(input.comment),
  });
  await gh.octokit.rest.issues.update({
    owner: gh.owner,
    repo: gh.repo,
    issue_number: existing,
    state: "closed",
    state_reason: "completed",
  });
  return { number: existing };
}
