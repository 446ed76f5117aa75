// Chooses where the desired state is read from (the working tree, or a git revision), loads it,
// and selects the devices a command acts on.
import { resolve } from "node:path";
import { DESCRIPTORS } from "../drivers/descriptors.ts";
import type { GitRevisionReader } from "../git/revision-reader.ts";
import { type LoadResult, loadRepo, PATHS } from "../load/load.ts";
import { type RepoReader, WorkingTreeReader } from "../load/reader.ts";
import { hasErrors } from "../model/diagnostic.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import { secretVariables } from "../model/secret-variables.ts";
import { SelectorError, selectDevices } from "../model/select.ts";
import { formatShard, parseShard, ShardError, shardDevices } from "../model/shard.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { addRunSecrets } from "../report/run-secrets.ts";
import { CliError, EXIT } from "./exit-codes.ts";

export interface RepoOptions {
  repo?: string;
  revision?: string;
}

export async function openReader(opts: RepoOptions): Promise<RepoReader> {
  const root = resolve(opts.repo ?? process.cwd());
  if (!opts.revision) return new WorkingTreeReader(root);
  // simple-git loads only when a revision is read: validate of the working tree skips it (issue 14).
  const { GitRevisionReader, RevisionError } = await import("../git/revision-reader.ts");
  try {
    return await GitRevisionReader.open(root, opts.revision);
  } catch (err) {
    if (err instanceof RevisionError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

export async function loadFromOptions(opts: RepoOptions): Promise<LoadResult & { origin: string }> {
  const reader = await openReader(opts);
  return { ...(await loadRepo(reader, { descriptors: DESCRIPTORS })), origin: reader.origin };
}

export interface Selected {
  repo: DesiredRepo;
  origin: string;
  devices: ResolvedDevice[];
  /** inventory/known_hosts at the same revision as the desired state. */
  knownHosts: string;
  /** The commit read (--revision), or the working tree's HEAD; undefined outside git. */
  commit?: string;
  /** --shard K/N: which shard, and its devices (before --limit), in name order. */
  shard?: { shard: string; devices: string[] };
}

/**
 * What every command that contacts devices starts with: load and validate (printing every
 * diagnostic and contacting nothing when the input is invalid), then apply --limit and --shard
 * (the intersection: the shard is computed over the whole inventory, so that every shard agrees).
 */
export async function loadSelected(
  opts: RepoOptions & { limit?: string; shard?: string },
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<Selected | undefined> {
  const reader = await openReader(opts);
  const loaded = await loadRepo(reader, { descriptors: DESCRIPTORS });
  if (!loaded.repo || hasErrors(loaded.diagnostics)) {
    for (const d of loaded.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    out.write("invalid desired state: no device was contacted\n");
    return undefined;
  }
  let devices: ResolvedDevice[];
  let shard: Selected["shard"];
  try {
    const spec = opts.shard === undefined ? undefined : parseShard(opts.shard);
    devices = selectDevices(Object.values(loaded.repo.devices), opts.limit);
    if (spec) {
      const mine = shardDevices(Object.values(loaded.repo.devices), loaded.repo.links, spec);
      const names = new Set(mine.map((d) => d.name));
      devices = devices.filter((d) => names.has(d.name));
      shard = { shard: formatShard(spec), devices: mine.map((d) => d.name).sort() };
    }
  } catch (err) {
    if (err instanceof SelectorError || err instanceof ShardError)
      throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  // Every secret any device of the repository may use: redacted from all this run prints or saves.
  const names = secretVariables(loaded.repo.expanded);
  for (const d of Object.values(loaded.repo.devices)) secretVariables(d.credentials, names);
  addRunSecrets([...names].map((n) => process.env[n]));
  // Host keys come from the same revision as the desired state: a reviewed known_hosts change
  // lands together with the change that needs it.
  const knownHosts = (await reader.read(PATHS.knownHosts)) ?? "";
  const commit = opts.revision
    ? (reader as GitRevisionReader).commit
    : await (await import("../git/head.ts")).headCommit(resolve(opts.repo ?? process.cwd()));
  return {
    repo: loaded.repo,
    origin: reader.origin,
    devices,
    knownHosts,
    ...(commit ? { commit } : {}),
    ...(shard ? { shard } : {}),
  };
}
