// What the watch loop asks git: the commit a branch of the remote is at (ls-remote: cheap, no
// objects), and fetching it into the repository's objects (never into a working tree: the
// rollout reads the revision with git/revision-reader.ts). Branch and remote names are checked
// before they reach git as arguments.
import { isAbsolute, resolve } from "node:path";
import { simpleGit } from "simple-git";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

export class GitRemoteError extends Error {}

function check(what: string, value: string): string {
  if (!NAME.test(value) || value.includes(".."))
    throw new GitRemoteError(`not a ${what}: ${JSON.stringify(value)}`);
  return value;
}

export async function remoteHead(root: string, remote: string, branch: string): Promise<string> {
  const out = await simpleGit({ baseDir: root, timeout: { block: 60_000 } }).raw([
    "ls-remote",
    "--heads",
    check("remote", remote),
    `refs/heads/${check("branch", branch)}`,
  ]);
  const sha = out.trim().split(/\s+/)[0] ?? "";
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitRemoteError(`${remote} has no branch ${branch}`);
  return sha;
}

/** Fetches the branch and returns the commit it is at (the same as remoteHead, or newer). */
export async function fetchBranch(root: string, remote: string, branch: string): Promise<string> {
  const git = simpleGit({ baseDir: root, timeout: { block: 300_000 } });
  const b = check("branch", branch);
  await git.raw(["fetch", "--quiet", check("remote", remote), `+refs/heads/${b}:refs/reconciler/watch/${b}`]);
  const sha = (
    await git.raw(["rev-parse", "--verify", "--quiet", `refs/reconciler/watch/${b}^{commit}`])
  ).trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GitRemoteError(`fetching ${remote} ${branch} gave no commit`);
  return sha;
}

/**
 * A remote named in the inventory: a remote of the repository (its URL; a relative path taken
 * relative to the repository, not to where we run), or a URL as given.
 */
export async function remoteUrlOf(root: string, remote: string): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) return remote;
  const url = (await simpleGit({ baseDir: root }).raw(["remote", "get-url", remote])).trim();
  if (!url) throw new Error(`the repository has no remote ${remote}`);
  return !url.includes(":") && !isAbsolute(url) ? resolve(root, url) : url;
}
