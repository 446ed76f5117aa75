// Chooses where the desired state is read from: the working tree, or a git revision.
import { resolve } from "node:path";
import { GitRevisionReader, RevisionError } from "../git/revision-reader.ts";
import { type LoadResult, loadRepo } from "../load/load.ts";
import { type RepoReader, WorkingTreeReader } from "../load/reader.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export interface RepoOptions {
  repo?: string;
  revision?: string;
}

export async function openReader(opts: RepoOptions): Promise<RepoReader> {
  const root = resolve(opts.repo ?? process.cwd());
  if (!opts.revision) return new WorkingTreeReader(root);
  try {
    return await GitRevisionReader.open(root, opts.revision);
  } catch (err) {
    if (err instanceof RevisionError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

export async function loadFromOptions(opts: RepoOptions): Promise<LoadResult & { origin: string }> {
  const reader = await openReader(opts);
  return { ...(await loadRepo(reader)), origin: reader.origin };
}
