// Reads the repository as it is at a git revision, without checking it out: validating a PR's
// head or a past commit must never disturb the operator's working tree.
import { type SimpleGit, simpleGit } from "simple-git";
import {
  checkRelativePath,
  decodeText,
  MAX_FILE_BYTES,
  RefusedFile,
  SYMLINK_EXPECTED,
} from "../load/file-text.ts";
import type { RepoReader } from "../load/reader.ts";

/** Revisions are passed to git as arguments: refuse anything that could be read as an option. */
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/@{}^~-]{0,199}$/;

export class RevisionError extends Error {}

export class GitRevisionReader implements RepoReader {
  readonly origin: string;
  private constructor(
    private readonly git: SimpleGit,
    readonly commit: string,
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

  private tree?: Promise<Map<string, TreeEntry>>;

  /** Every file of the commit, listed once (one git call) and kept for the reader's life. */
  private files(): Promise<Map<string, TreeEntry>> {
    this.tree ??= this.git.raw(["ls-tree", "-r", "-z", "--long", this.commit]).then(parseTree);
    return this.tree;
  }

  /** Every entry, symbolic links and submodules included, so that reading them is refused out loud. */
  async list(dir: string): Promise<string[]> {
    checkRelativePath(dir);
    const files = await this.files();
    refuseLinkedDirectory(files, dir, dir.split("/").length);
    return [...files.keys()].filter((p) => p.startsWith(`${dir}/`)).sort();
  }

  async read(path: string): Promise<string | undefined> {
    checkRelativePath(path);
    const files = await this.files();
    refuseLinkedDirectory(files, path, path.split("/").length - 1);
    const entry = files.get(path);
    if (!entry) return undefined;
    // The target of a link is never resolved: it could name any file of the machine running us.
    if (entry.mode === "120000") throw new RefusedFile(path, "file is a symbolic link", SYMLINK_EXPECTED);
    if (entry.type !== "blob")
      throw new RefusedFile(path, `not a file but a ${entry.type}`, "a regular file");
    if (entry.size > MAX_FILE_BYTES) {
      throw new RefusedFile(path, `file is ${entry.size} bytes`, `at most ${MAX_FILE_BYTES} bytes`);
    }
    return decodeText(path, await this.git.binaryCatFile(["blob", entry.object]));
  }
}

/** A directory committed as a symbolic link is a tree entry of its own; nothing below it is listed. */
function refuseLinkedDirectory(files: Map<string, TreeEntry>, path: string, count: number): void {
  const parts = path.split("/");
  for (let i = 1; i <= count; i++) {
    const prefix = parts.slice(0, i).join("/");
    if (files.get(prefix)?.mode === "120000") {
      throw new RefusedFile(prefix, "directory is a symbolic link", SYMLINK_EXPECTED);
    }
  }
}

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number;
}

/** `git ls-tree -r -z --long`: "<mode> SP <type> SP <object> SP+ <size> TAB <path>" NUL-separated. */
function parseTree(out: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const record of out.split("\0")) {
    const m = /^([0-7]{6}) (\w+) ([0-9a-f]{40,64}) +(\d+|-)\t(.+)$/s.exec(record);
    if (!m) continue;
    const [, mode = "", type = "", object = "", size = "", path = ""] = m;
    entries.set(path, { mode, type, object, size: size === "-" ? 0 : Number(size) });
  }
  return entries;
}
