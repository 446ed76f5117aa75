// The state store as a git repository: every change of the store (snapshots, the journal, run
// records, the freeze) can be committed, so that its history is readable with plain git (`git -C
// <store> log -p`), and optionally pushed to a branch of a remote, so that short-lived CI runners
// share one history. Nothing here is needed to read the store: the files are plain files, and a
// store whose git repository is missing or broken still reads (store.ts, runs.ts); a rollback
// never waits on git.
//
// Layout: the store directory is the work tree, its .git the repository (branch "main" locally;
// the remote branch is whatever the caller names). A .gitignore keeps out what is this machine's
// own: run.lock (the run lock names a pid on this host) and the temporary files of atomic writes
// and lock take-overs (.*.tmp, .*.stale).
//
// Git is run with execFile (no shell), always with --git-dir=<store>/.git and --work-tree=<store>
// (never the repository the store sits in), with the repository-locating GIT_* variables of the
// environment removed, hooks off (core.hooksPath=/dev/null, --no-verify), signing off, the
// identity reconciler <reconciler@localhost> (a CI runner has none), LC_ALL=C (its messages are
// matched), GIT_TERMINAL_PROMPT=0 (never a password prompt), and a timeout on every call. A
// failure is a GitCommandError naming the command (credentials in a URL hidden) and its output
// (bounded, secrets of the run redacted).
//
// Merging with the remote branch (syncStateFromRemote). Local changes are committed first; the
// branch is fetched into refs/reconciler/remote/<branch>; a tree holding a symbolic link or a
// submodule is refused (the reconciler writes into the store's directories afterwards, and a link
// could point them anywhere). Then `git merge` (fast-forward when possible; unrelated histories
// allowed, as two runners that started empty stores have; no rename detection). Conflicts are
// resolved file by file, from the three versions git keeps (base, ours, theirs):
//   - journal.jsonl is append-only: the union of the lines, ours in order, then the remote's lines
//     that ours lacks, in their order. Our existing lines never move, so it stays append-only here.
//     (When only one side appended since the last common commit, git's own merge already gives
//     that union without a conflict.) Across machines the journal is therefore not in time order:
//     a reader that needs time order sorts by each entry's `time`.
//   - freeze.json: frozen wins over unfrozen unless one side lifted exactly the freeze the base
//     had; of two new freezes the later one is kept; the rolled-back revisions are the union (a
//     rolled-back revision must never be forgotten). A side that does not parse is ignored.
//   - .gitignore: ours (it is rewritten by ensureStateRepo anyway).
//   - every other file (run records runs/<runId>.json, snapshots snapshots/<device>/<runId>.json:
//     files named by a run id, written by that one run) differing on both sides: the remote's
//     version stays in place, since others have already seen it, and ours is kept beside it as
//     conflicts/<our commit, 12 hex>/<path>, with a warning. A file changed on one side and
//     deleted on the other is kept as changed.
// If anything goes wrong in the middle, the merge is aborted, the store is left as it was
// (committed), and the problem comes back as a warning. Syncing and pushing never throw: the
// remote is a convenience, never a reason to stop a run. Call them under the run lock: two git
// commands on one repository at once fail on its index.lock.
import { execFile } from "node:child_process";
import { lstat, mkdir, readFile, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { writeFileAtomic } from "./atomic.ts";
import type { FreezeState } from "./freeze.ts";

/** Timeouts of one git call: local operations, and those that talk to a remote. */
export const GIT_LOCAL_TIMEOUT_MS = 60_000;
export const GIT_REMOTE_TIMEOUT_MS = 120_000;
/** At most this many characters of a git command's output go into an error. */
const MAX_OUTPUT = 2000;

export const STATE_GITIGNORE = [
  "# Written by the reconciler. The run lock is this machine's own (it names a pid on this host);",
  "# temporary files are half-written files of atomic writes and lock take-overs.",
  "run.lock",
  ".*.tmp",
  ".*.stale",
  "",
].join("\n");

/** The store's git repository is missing something or cannot be read: says what, where and how to fix. */
export class StateRepoError extends Error {}

export class GitCommandError extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
    readonly exitCode: number | undefined,
    reason: string,
  ) {
    super(`${command} ${reason}${output ? `: ${output}` : ""}`);
  }
}

export interface StateRemote {
  /** A git URL or a local path (a bare repository). */
  url: string;
  branch: string;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that would make git act on another repository than the store's. */
const LOCATING_VARS = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
  "GIT_CEILING_DIRECTORIES",
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of LOCATING_VARS) delete env[v];
  env.GIT_TERMINAL_PROMPT = "0";
  env.LC_ALL = "C";
  env.GIT_OPTIONAL_LOCKS = "0";
  return env;
}

const CONFIG = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "commit.gpgsign=false",
  "-c",
  "user.name=reconciler",
  "-c",
  "user.email=reconciler@localhost",
  "-c",
  "core.autocrlf=false",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "protocol.ext.allow=never",
];

/** Credentials in a URL (https://user:token@host) are never shown. */
const hideCredentials = (s: string) => s.replace(/\/\/[^/@\s]*@/g, "//***@");

function bound(text: string): string {
  const t = redactRunSecrets(hideCredentials(text.trim()));
  if (t.length <= MAX_OUTPUT) return t;
  const half = MAX_OUTPUT / 2;
  return `${t.slice(0, half)}\n... (${t.length - MAX_OUTPUT} characters left out) ...\n${t.slice(-half)}`;
}

/** Runs git on the store's repository (or, with `bare`, without --git-dir/--work-tree). */
function runGit(
  dir: string,
  args: string[],
  opts: { timeoutMs?: number; bare?: boolean; env?: Record<string, string> } = {},
): Promise<GitResult> {
  const repoArgs = opts.bare ? [] : [`--git-dir=${join(dir, ".git")}`, `--work-tree=${dir}`];
  const all = [...CONFIG, ...repoArgs, ...args];
  const timeout = opts.timeoutMs ?? GIT_LOCAL_TIMEOUT_MS;
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      "git",
      all,
      { cwd: dir, env: { ...gitEnv(), ...opts.env }, timeout, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (!err) {
          resolvePromise({ code: 0, stdout, stderr });
          return;
        }
        const e = err as NodeJS.ErrnoException & {
          code?: number | string;
          killed?: boolean;
          signal?: string;
        };
        const command = hideCredentials(`git ${args.join(" ")}`);
        const output = bound(`${stderr}\n${stdout}`);
        if (typeof e.code === "number") {
          resolvePromise({ code: e.code, stdout, stderr });
        } else if (e.killed || e.signal) {
          reject(
            new GitCommandError(command, output, undefined, `timed out after ${timeout / 1000} s in ${dir}`),
          );
        } else {
          reject(new GitCommandError(command, output, undefined, `could not run in ${dir}: ${e.message}`));
        }
      },
    );
    child.stdin?.end();
  });
}

/** Runs git and throws a GitCommandError unless it exits 0. */
async function git(
  dir: string,
  args: string[],
  opts: { timeoutMs?: number; bare?: boolean; env?: Record<string, string> } = {},
) {
  const r = await runGit(dir, args, opts);
  if (r.code !== 0)
    throw new GitCommandError(
      hideCredentials(`git ${args.join(" ")}`),
      bound(`${r.stderr}\n${r.stdout}`),
      r.code,
      `failed (exit ${r.code}) in ${dir}`,
    );
  return r;
}

/**
 * Makes `dir` (created, mode 0700, when missing) a git repository: `git init` when it has no .git.
 * A .git that git cannot read is a StateRepoError saying so; it is never replaced on its own, since
 * it may hold the only copy of the store's history. Writes the store's .gitignore.
 */
export async function ensureStateRepo(dir: string): Promise<{ created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const dotGit = join(dir, ".git");
  let exists = true;
  try {
    await lstat(dotGit);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    exists = false;
  }
  let created = false;
  if (!exists) {
    // No templates: nothing of the user's git set-up (sample hooks, template hooks) is copied in.
    await git(dir, ["init", "--quiet", "--initial-branch=main", "--template=", dir], { bare: true });
    created = true;
  } else {
    const fix =
      `move it aside (mv ${dotGit} ${dotGit}.broken) and run again: the store's files are kept and a new history starts ` +
      "(the old one can be recovered from the moved directory by hand)";
    let problem: string | undefined;
    try {
      const r = await runGit(dir, ["rev-parse", "--is-bare-repository"]);
      if (r.code !== 0) problem = bound(r.stderr) || `git rev-parse exited ${r.code}`;
      else if (r.stdout.trim() !== "false") problem = "it is a bare repository";
      else {
        // Reads the index and HEAD: a torn index or a HEAD naming nothing shows here.
        const s = await runGit(dir, ["status", "--porcelain", "-z", "--untracked-files=no"]);
        if (s.code !== 0) problem = bound(s.stderr) || `git status exited ${s.code}`;
      }
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem)
      throw new StateRepoError(
        `the state store at ${dir} has a git repository (${dotGit}) that git cannot use: ${problem}. To fix it, ${fix}`,
      );
  }
  const ignore = join(dir, ".gitignore");
  const current = await readFile(ignore, "utf8").catch(() => undefined);
  if (current !== STATE_GITIGNORE) await writeFileAtomic(ignore, STATE_GITIGNORE, 0o644);
  if (created) {
    // Every store starts from the very same root commit (same tree, identity, message and date):
    // two runners' histories are then always related, and an empty store fast-forwards to what
    // another runner pushed instead of merging unrelated histories.
    await git(dir, ["add", "--", ".gitignore"]);
    await git(dir, ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", "state store"], {
      env: { GIT_AUTHOR_DATE: ROOT_DATE, GIT_COMMITTER_DATE: ROOT_DATE },
    });
  }
  return { created };
}

const ROOT_DATE = "2000-01-01T00:00:00Z";

async function headCommit(dir: string): Promise<string | undefined> {
  const r = await runGit(dir, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
  const c = r.stdout.trim();
  return r.code === 0 && /^[0-9a-f]{40,64}$/.test(c) ? c : undefined;
}

/**
 * Commits every change of the store (`git add -A`), when there is one; returns the new commit, or
 * no commit when nothing changed. Makes the store a repository first (ensureStateRepo).
 */
export async function commitState(dir: string, message: string): Promise<{ commit?: string }> {
  await ensureStateRepo(dir);
  await git(dir, ["add", "-A", "--", "."]);
  const diff = await runGit(dir, ["diff", "--cached", "--quiet"]);
  if (diff.code === 0) return {};
  if (diff.code !== 1)
    throw new GitCommandError("git diff --cached --quiet", bound(diff.stderr), diff.code, `failed in ${dir}`);
  await git(dir, ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", redactRunSecrets(message)]);
  return { commit: await headCommit(dir) };
}

const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

/** Why a remote cannot be used, or undefined. */
function badRemote(remote: StateRemote): string | undefined {
  if (typeof remote.url !== "string" || !remote.url || remote.url.startsWith("-") || /[\s]/.test(remote.url))
    return `not a usable git remote URL: ${JSON.stringify(hideCredentials(String(remote.url)))}`;
  if (
    typeof remote.branch !== "string" ||
    !BRANCH.test(remote.branch) ||
    remote.branch.includes("..") ||
    remote.branch.endsWith(".lock") ||
    remote.branch.endsWith("/") ||
    remote.branch.includes("//")
  )
    return `not a usable branch name for the state store: ${JSON.stringify(remote.branch)}`;
  return undefined;
}

/** A local path relative to the caller's directory, since git runs in the store's. */
function remoteUrl(url: string): string {
  const isUrl = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url);
  const isScp = /^[^/]*:/.test(url);
  return isUrl || isScp || isAbsolute(url) ? url : resolve(url);
}

const where = (remote: StateRemote) => `branch ${remote.branch} of ${hideCredentials(remote.url)}`;

/** Merges the remote branch into the store (see the file header); never throws, returns warnings. */
export async function syncStateFromRemote(dir: string, remote: StateRemote): Promise<string[]> {
  const bad = badRemote(remote);
  if (bad) return [`state store not synced: ${bad}`];
  const warnings: string[] = [];
  try {
    await commitState(dir, "state: local changes before syncing with the remote");
    const ref = `refs/reconciler/remote/${remote.branch}`;
    const fetch = await runGit(
      dir,
      ["fetch", "--quiet", "--no-tags", "--", remoteUrl(remote.url), `+refs/heads/${remote.branch}:${ref}`],
      { timeoutMs: GIT_REMOTE_TIMEOUT_MS },
    );
    if (fetch.code !== 0) {
      // Nothing pushed there yet: nothing to merge.
      if (/couldn't find remote ref/i.test(fetch.stderr)) return warnings;
      return [`state store not synced: cannot fetch ${where(remote)}: ${bound(fetch.stderr)}`];
    }
    const unsafe = await unsafeEntries(dir, ref);
    if (unsafe.length > 0)
      return [
        `state store not synced: ${where(remote)} holds symbolic links or submodules, which a state store never has: ${unsafe.slice(0, 5).join(", ")}`,
      ];
    const ours = await headCommit(dir);
    const merge = await runGit(dir, [
      "merge",
      "--quiet",
      "--ff",
      "--no-edit",
      "--allow-unrelated-histories",
      "-X",
      "no-renames",
      "-m",
      `state: merge ${remote.branch} of the remote`,
      ref,
    ]);
    if (merge.code === 0) return warnings;
    try {
      const unmerged = await unmergedPaths(dir);
      if (unmerged.size === 0)
        throw new Error(bound(`${merge.stderr}\n${merge.stdout}`) || "git merge failed");
      for (const [path, stages] of unmerged) {
        const w = await resolveConflict(dir, path, stages, ours);
        if (w) warnings.push(w);
      }
      await git(dir, ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "--no-edit"]);
    } catch (err) {
      await runGit(dir, ["merge", "--abort"]).catch(() => undefined);
      return [
        ...warnings,
        `state store not synced: cannot merge ${where(remote)}: ${(err as Error).message}`,
      ];
    }
  } catch (err) {
    warnings.push(`state store not synced with ${where(remote)}: ${(err as Error).message}`);
  }
  return warnings;
}

/**
 * Pushes the store's history (local changes committed first) to refs/heads/<branch> of the remote;
 * when the remote moved on, merges it (syncStateFromRemote) and pushes once more. Never throws:
 * every failure comes back as a warning.
 */
export async function pushStateToRemote(dir: string, remote: StateRemote): Promise<string[]> {
  const bad = badRemote(remote);
  if (bad) return [`state store not pushed: ${bad}`];
  const warnings: string[] = [];
  try {
    await commitState(dir, "state: local changes before pushing");
    if (!(await headCommit(dir))) return warnings; // an empty store: nothing to push
    const push = () =>
      runGit(
        dir,
        ["push", "--quiet", "--no-verify", "--", remoteUrl(remote.url), `HEAD:refs/heads/${remote.branch}`],
        {
          timeoutMs: GIT_REMOTE_TIMEOUT_MS,
        },
      );
    const first = await push();
    if (first.code === 0) return warnings;
    warnings.push(...(await syncStateFromRemote(dir, remote)));
    const second = await push();
    if (second.code !== 0)
      warnings.push(
        `state store not pushed to ${where(remote)}: ${bound(second.stderr) || `git push exited ${second.code}`}`,
      );
  } catch (err) {
    warnings.push(`state store not pushed to ${where(remote)}: ${(err as Error).message}`);
  }
  return warnings;
}

/** Symbolic links (120000) and submodules (160000) in a commit's tree. */
async function unsafeEntries(dir: string, ref: string): Promise<string[]> {
  const r = await git(dir, ["ls-tree", "-r", "-z", ref]);
  const out: string[] = [];
  for (const entry of r.stdout.split("\0")) {
    const m = /^(\d{6}) \w+ [0-9a-f]+\t(.*)$/s.exec(entry);
    if (m && (m[1] === "120000" || m[1] === "160000")) out.push(JSON.stringify(m[2]));
  }
  return out;
}

type Stages = Partial<Record<1 | 2 | 3, string>>;

/** The paths git could not merge, with the object id of each version: 1 base, 2 ours, 3 theirs. */
async function unmergedPaths(dir: string): Promise<Map<string, Stages>> {
  const r = await git(dir, ["ls-files", "-u", "-z"]);
  const out = new Map<string, Stages>();
  for (const entry of r.stdout.split("\0")) {
    const m = /^(\d{6}) ([0-9a-f]+) ([123])\t(.*)$/s.exec(entry);
    if (!m) continue;
    const path = m[4] as string;
    const stages = out.get(path) ?? {};
    stages[Number(m[3]) as 1 | 2 | 3] = m[2] as string;
    out.set(path, stages);
  }
  return out;
}

const blob = async (dir: string, id: string | undefined): Promise<string | undefined> =>
  id === undefined ? undefined : (await git(dir, ["cat-file", "blob", id])).stdout;

/** Writes a resolved file into the work tree and marks it resolved. */
async function settle(dir: string, path: string, content: string): Promise<void> {
  const full = join(dir, path);
  await mkdir(dirname(full), { recursive: true, mode: 0o700 });
  await rm(full, { force: true, recursive: true });
  await writeFileAtomic(full, content);
  await git(dir, ["add", "--", path]);
}

async function resolveConflict(
  dir: string,
  path: string,
  stages: Stages,
  ourCommit: string | undefined,
): Promise<string | undefined> {
  if (isAbsolute(path) || path.split("/").some((p) => p === ".." || p === ".git" || p === ""))
    throw new Error(`refusing a path from the remote: ${JSON.stringify(path)}`);
  const [base, ours, theirs] = [
    await blob(dir, stages[1]),
    await blob(dir, stages[2]),
    await blob(dir, stages[3]),
  ];
  if (path === "journal.jsonl") {
    await settle(dir, path, unionLines(ours, theirs));
    return undefined;
  }
  if (path === "freeze.json") {
    const merged = mergeFreeze(base, ours, theirs);
    await settle(dir, path, merged);
    return undefined;
  }
  if (path === ".gitignore") {
    await settle(dir, path, STATE_GITIGNORE);
    return undefined;
  }
  if (ours !== undefined && theirs !== undefined) {
    const aside = join("conflicts", (ourCommit ?? "local").slice(0, 12), path);
    await settle(dir, aside, ours);
    await settle(dir, path, theirs);
    return `state store: ${path} differs between this machine and the remote: kept the remote's, this machine's is saved as ${aside}`;
  }
  // Changed on one side, deleted on the other: what survives is kept.
  await settle(dir, path, (ours ?? theirs) as string);
  return undefined;
}

/** Ours in order, then the lines of theirs that ours lacks, in their order; blank lines dropped. */
export function unionLines(ours: string | undefined, theirs: string | undefined): string {
  const lines = (s: string | undefined) => (s ?? "").split("\n").filter((l) => l.trim() !== "");
  const out = lines(ours);
  const have = new Set(out);
  for (const l of lines(theirs)) {
    if (have.has(l)) continue;
    have.add(l);
    out.push(l);
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

function parseFreeze(text: string | undefined): FreezeState | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as FreezeState;
    return v?.version === 1 && Array.isArray(v.rolledBack) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Three-way merge of freeze.json (see the file header). */
export function mergeFreeze(
  base: string | undefined,
  ours: string | undefined,
  theirs: string | undefined,
): string {
  const [b, o, t] = [parseFreeze(base), parseFreeze(ours), parseFreeze(theirs)];
  if (!o && !t) return theirs ?? ours ?? "";
  if (!o || !t) return `${JSON.stringify(o ?? t, null, 2)}\n`;
  type Frozen = NonNullable<FreezeState["frozen"]>;
  const same = (x: Frozen | undefined, y: Frozen | undefined) =>
    x !== undefined && y !== undefined && x.runId === y.runId && x.since === y.since;
  const fresh = [o.frozen, t.frozen].filter((f): f is Frozen => f !== undefined && !same(f, b?.frozen));
  let frozen: Frozen | undefined;
  if (fresh.length > 0)
    frozen = fresh.sort((x, y) => (x.since < y.since ? 1 : x.since > y.since ? -1 : 0))[0];
  else if (o.frozen && t.frozen) frozen = o.frozen;
  // Otherwise one side lifted the base's freeze (or neither is frozen).
  const rolledBack = [...o.rolledBack];
  for (const r of t.rolledBack) if (!rolledBack.some((x) => x.revision === r.revision)) rolledBack.push(r);
  const merged: FreezeState = { version: 1, ...(frozen ? { frozen } : {}), rolledBack };
  return `${JSON.stringify(merged, null, 2)}\n`;
}
