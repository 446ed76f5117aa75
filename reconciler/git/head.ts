// The commit a working tree is at: what an apply of the working tree records as its revision (and
// what the freeze compares with the revisions it rolled back). Undefined outside a git repository
// or before its first commit.
import { simpleGit } from "simple-git";

export async function headCommit(root: string): Promise<string | undefined> {
  try {
    const commit = (
      await simpleGit({ baseDir: root }).raw(["rev-parse", "--verify", "--quiet", "HEAD"])
    ).trim();
    return /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}
