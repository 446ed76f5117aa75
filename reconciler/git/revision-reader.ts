// Reads the repository as it is at a git revision, without checking it out: validating a PR's
// head or a past commit must never disturb the operator's working tree.
import { type SimpleGit, simpleGit } from "simple-git";
import type { RepoReader } from "../load/reader.ts";

/** Revisions are passed to git as arguments: refuse anything that could be read as an option. */
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/@{}^~-]{0,199}$/;

export class RevisionError extends Error {}

export class GitRevisionReader implements RepoReader {
  readonly origin: string;
  private constructor(
    private readonly git: SimpleGit,
    private readonly commit: string,
    revision: string,
  ) {
    this.origin = `revision ${revision} (${commit.slice(0, 12)})`;
  }

  static async open(root: string, revision: string): Promise<GitRevisionReader> {
    if (!REVISION.test(revision)) throw new RevisionError(`not a git revision: ${JSON.stringify(revision)}`);
    const git = simpleGit({ baseDir: root });
    let commit: string;
    try {
      commit = (await git.raw(["rev-parse", "--verify", "--quiet", `${revision}^{commit}`])).trim();
    } catch {
      commit = "";
    }
    if (!/^[0-9a-f]{40,64}$/.test(commit)) {
      throw new RevisionError(`git revision ${JSON.stringify(revision)} does not exist in ${root}`);
    }
    return new GitRevisionReader(git, commit, revision);
  }

  private tree?: Promise<Set<string>>;

  /** Every file of the commit, listed once (one git call) and kept for the reader's life. */
  private files(): Promise<Set<string>> {
    this.tree ??= this.git
      .raw(["ls-tree", "-r", "-z", "--name-only", this.commit])
      .then((out) => new Set(out.split("\0").filter((p) => p !== "")));
    return this.tree;
  }

  async list(dir: string): Promise<string[]> {
    return [...(await this.files())].filter((p) => p.startsWith(`${dir}/`)).sort();
  }

  async read(path: string): Promise<string | undefined> {
    if (!(await this.files()).has(path)) return undefined;
    return this.git.show([`${this.commit}:${path}`]);
  }
}
