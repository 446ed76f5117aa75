// The example network (inventory/ and desired/ of this repository) in memory, so that a test can
// change one file and load the result without touching the disk.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import type { RepoReader } from "../../reconciler/load/reader.ts";

export const ROOT = join(import.meta.dirname, "..", "..");

export class MemoryReader implements RepoReader {
  readonly origin = "memory";
  constructor(readonly files: Map<string, string>) {}
  async list(dir: string): Promise<string[]> {
    return [...this.files.keys()].filter((p) => p.startsWith(`${dir}/`)).sort();
  }
  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }
}

export function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of ["inventory", "desired"]) {
    for (const e of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const full = join(e.parentPath, e.name);
      files.set(relative(ROOT, full), readFileSync(full, "utf8"));
    }
  }
  return files;
}

export type Edit = string | ((text: string) => string) | undefined;

/** Loads the example network with some files replaced (string), edited (function) or removed (undefined). */
export async function loadExample(edits: Record<string, Edit> = {}) {
  const files = exampleFiles();
  for (const [path, edit] of Object.entries(edits)) {
    if (edit === undefined) files.delete(path);
    else if (typeof edit === "string") files.set(path, edit);
    else {
      const before = files.get(path);
      if (before === undefined) throw new Error(`test edits ${path}, which the example does not have`);
      const after = edit(before);
      if (after === before) throw new Error(`test edit of ${path} changed nothing: its search text is stale`);
      files.set(path, after);
    }
  }
  return loadRepo(new MemoryReader(files), { descriptors: DESCRIPTORS });
}

/** Replace exactly one occurrence, failing loudly if the example no longer contains the text. */
export const replaceOnce = (search: string, replacement: string) => (text: string) => {
  const at = text.indexOf(search);
  if (at < 0 || text.indexOf(search, at + 1) >= 0) {
    throw new Error(`expected exactly one ${JSON.stringify(search)} in the file`);
  }
  return text.slice(0, at) + replacement + text.slice(at + search.length);
};
