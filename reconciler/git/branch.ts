// A commit of some files onto a base commit, made without a working tree (a temporary index and
// git's plumbing), and pushed to a branch of the remote that the reconciler owns: how a drift pull
// request's adopting commit is made on a CI runner whose checkout must not change. Paths are
// relative, plain, under desired/ (checked); contents go to git through stdin, never argv.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class GitBranchError extends Error {}

const SHA = /^[0-9a-f]{40,64}$/;
const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
const PATH = /^desired\/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.yaml$/;

function git(
  root: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", ...args],
      {
        cwd: root,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...opts.env },
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new GitBranchError(`git ${args[0]} failed: ${String(stderr || err.message).slice(0, 2000)}`),
          );
        else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** A commit of `files` (path -> new text) on top of `base`, as reconciler; the working tree is not touched. */
export async function commitOnto(
  root: string,
  input: { base: string; files: ReadonlyMap<string, string>; message: string },
): Promise<string> {
  if (!SHA.test(input.base)) throw new GitBranchError(`not a commit: ${JSON.stringify(input.base)}`);
  const dir = await mkdtemp(join(tmpdir(), "reconciler-index-"));
  const env = {
    GIT_INDEX_FILE: join(dir, "index"),
    GIT_AUTHOR_NAME: "reconciler",
    GIT_AUTHOR_EMAIL: "reconciler@localhost",
    GIT_COMMITTER_NAME: "reconciler",
    GIT_COMMITTER_EMAIL: "reconciler@localhost",
  };
  try {
    await git(root, ["read-tree", input.base], { env });
    for (const [path, text] of [...input.files].sort(([a], [b]) => a.localeCompare(b))) {
      if (!PATH.test(path) || path.includes(".."))
        throw new GitBranchError(`not a desired/ file: ${JSON.stringify(path)}`);
      const blob = (await git(root, ["hash-object", "-w", "--stdin"], { input: text, env })).trim();
      await git(root, ["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], { env });
    }
    const tree = (await git(root, ["write-tree"], { env })).trim();
    const commit = (
      await git(root, ["commit-tree", tree, "-p", input.base, "-F", "-"], { input: input.message, env })
    ).trim();
    if (!SHA.test(commit)) throw new GitBranchError("git commit-tree gave no commit");
    return commit;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tree of a commit (to tell whether a branch already holds the same files). */
export async function treeOf(root: string, commit: string): Promise<string> {
  return (await git(root, ["rev-parse", `${commit}^{tree}`])).trim();
}

/**
 * The commit the remote's branch is at, fetched (undefined when the branch does not exist).
 * Fetched into refs/reconciler/drift/ so that no branch of the checkout moves.
 */
export async function fetchRemoteBranch(
  root: string,
  remote: string,
  branch: string,
): Promise<string | undefined> {
  if (!BRANCH.test(branch) || branch.includes(".."))
    throw new GitBranchError(`not a branch: ${JSON.stringify(branch)}`);
  const heads = await git(root, ["ls-remote", "--heads", "--", remote, `refs/heads/${branch}`]);
  if (!heads.trim()) return undefined;
  await git(root, [
    "fetch",
    "--quiet",
    "--no-tags",
    "--",
    remote,
    `+refs/heads/${branch}:refs/reconciler/drift/${branch}`,
  ]);
  return (await git(root, ["rev-parse", "--verify", `refs/reconciler/drift/${branch}^{commit}`])).trim();
}

/** Points the remote's branch at `commit` (the branch is the reconciler's own: forced). */
export async function pushBranch(
  root: string,
  remote: string,
  commit: string,
  branch: string,
): Promise<void> {
  if (!SHA.test(commit)) throw new GitBranchError(`not a commit: ${JSON.stringify(commit)}`);
  if (!BRANCH.test(branch) || branch.includes(".."))
    throw new GitBranchError(`not a branch: ${JSON.stringify(branch)}`);
  await git(root, ["push", "--quiet", "--force", "--", remote, `${commit}:refs/heads/${branch}`]);
}
