// The label that marks what the reconciler opened itself. Listing a repository's open issues by
// this label keeps the marker search to the reconciler's few issues, not every open issue.
import { GitHubError, type GitHubRepo } from "./client.ts";

export const DRIFT_LABEL = "reconciler-drift";
const DRIFT_LABEL_COLOR = "d93f0b";
const DRIFT_LABEL_DESCRIPTION = "Opened and closed by the reconciler's drift runs";

/** Creates the label when the repository does not have it; another run creating it first is fine. */
export async function ensureDriftLabel(gh: GitHubRepo): Promise<void> {
  try {
    await gh.octokit.rest.issues.getLabel({ owner: gh.owner, repo: gh.repo, name: DRIFT_LABEL });
    return;
  } catch (e) {
    if (!(e instanceof GitHubError && e.status === 404)) throw e;
  }
  try {
    await gh.octokit.rest.issues.createLabel({
      owner: gh.owner,
      repo: gh.repo,
      name: DRIFT_LABEL,
      color: DRIFT_LABEL_COLOR,
      description: DRIFT_LABEL_DESCRIPTION,
    });
  } catch (e) {
    // 422 already_exists: a concurrent run created it between the two requests.
    if (!(e instanceof GitHubError && e.status === 422)) throw e;
  }
}
