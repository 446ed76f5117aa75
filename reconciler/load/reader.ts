// Where the repository's files come from: the working tree, or a git revision (git/revision-reader.ts).
// The loader sees only this interface, so validating a branch never touches the working tree.
import { constants, type Stats } from "node:fs";
import { type FileHandle, lstat, open, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { checkRelativePath, decodeText, MAX_FILE_BYTES, RefusedFile, SYMLINK_EXPECTED } from "./file-text.ts";

export interface RepoReader {
  /** Human-readable origin, e.g. "working tree /srv/net" or "revision 1a2b3c4". */
  readonly origin: string;
  /** Every file under `dir` (recursively), as repository-relative paths with '/' separators, sorted. */
  list(dir: string): Promise<string[]>;
  /**
   * The file's text, or undefined when it does not exist. Throws RefusedFile for what the
   * repository may not hold: a symbolic link, a path outside it, a file that is not UTF-8.
   */
  read(path: string): Promise<string | undefined>;
}

export class WorkingTreeReader implements RepoReader {
  readonly origin: string;
  constructor(private readonly root: string) {
    this.origin = `working tree ${root}`;
  }

  /**
   * Every entry that is not a directory, symbolic links included: they are listed so that reading
   * them is refused out loud rather than the file silently missing. readdir does not descend into
   * a symlinked directory.
   */
  async list(dir: string): Promise<string[]> {
    checkRelativePath(dir);
    if (!(await this.realDirectories(dir, dir.split("/").length))) return [];
    try {
      const entries = await readdir(join(this.root, dir), { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => !e.isDirectory())
        .map((e) => relative(this.root, join(e.parentPath, e.name)).split("\\").join("/"))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async read(path: string): Promise<string | undefined> {
    checkRelativePath(path);
    if (!(await this.realDirectories(path, path.split("/").length - 1))) return undefined;
    let handle: FileHandle;
    try {
      // O_NOFOLLOW: the last component is never followed, even if it became a link after the
      // check above; O_NONBLOCK: opening a FIFO must not hang the run.
      handle = await open(
        join(this.root, path),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return undefined;
      if (code === "ELOOP") throw new RefusedFile(path, "file is a symbolic link", SYMLINK_EXPECTED);
      if (code === "EACCES")
        throw new RefusedFile(path, "file cannot be read (permission denied)", "a readable file");
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new RefusedFile(path, "not a regular file", "a regular file");
      if (info.size > MAX_FILE_BYTES) {
        throw new RefusedFile(path, `file is ${info.size} bytes`, `at most ${MAX_FILE_BYTES} bytes`);
      }
      return decodeText(path, await handle.readFile());
    } finally {
      await handle.close();
    }
  }

  /**
   * Whether the first `count` components of `path` are real directories. A symbolic link among
   * them is refused (it could lead anywhere); a missing one means the file does not exist.
   */
  private async realDirectories(path: string, count: number): Promise<boolean> {
    const parts = path.split("/");
    for (let i = 1; i <= count; i++) {
      const prefix = parts.slice(0, i).join("/");
      let info: Stats;
      try {
        info = await lstat(join(this.root, prefix));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw err;
      }
      if (info.isSymbolicLink())
        throw new RefusedFile(prefix, "directory is a symbolic link", SYMLINK_EXPECTED);
      if (!info.isDirectory()) return false;
    }
    return true;
  }
}

/**
 * Remembers what it read: loading reads every file twice (the secret scan, then the parse), and
 * at a git revision each read is a git subprocess.
 */
export function memoized(reader: RepoReader): RepoReader {
  const lists = new Map<string, Promise<string[]>>();
  const files = new Map<string, Promise<string | undefined>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>) => {
    let hit = cache.get(key);
    if (!hit) {
      hit = load();
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    origin: reader.origin,
    list: (dir) => once(lists, dir, () => reader.list(dir)),
    read: (path) => once(files, path, () => reader.read(path)),
  };
}
