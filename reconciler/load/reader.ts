// Where the repository's files come from: the working tree, or a git revision (git/revision-reader.ts).
// The loader sees only this interface, so validating a branch never touches the working tree.
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

export interface RepoReader {
  /** Human-readable origin, e.g. "working tree /srv/net" or "revision 1a2b3c4". */
  readonly origin: string;
  /** Every file under `dir` (recursively), as repository-relative paths with '/' separators, sorted. */
  list(dir: string): Promise<string[]>;
  /** The file's text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
}

export class WorkingTreeReader implements RepoReader {
  readonly origin: string;
  constructor(private readonly root: string) {
    this.origin = `working tree ${root}`;
  }

  async list(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.root, dir), { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => relative(this.root, join(e.parentPath, e.name)).split("\\").join("/"))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, path), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
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
