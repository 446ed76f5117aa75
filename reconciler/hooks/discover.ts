// Which hooks run at a phase: in the repository being applied, `hooks/<phase>` (one executable
// file) and then `hooks/<phase>.d/*` (executables, in byte order of their names). Only regular
// files inside the repository run: a symlink is followed only when it (and every directory on the
// way) resolves inside the repository; one leading outside is refused with an error, since the
// hooks are part of the reviewed desired state and a link out of it would run unreviewed code.
// A file without an executable bit in a phase directory is reported, not run. Other names under
// hooks/ (README.md, examples/) are not hooks; in a phase directory, hidden files, backups and
// documentation (*~, *.md, *.txt, *.bak, *.orig, *.swp, *.disabled) are ignored.
import { constants } from "node:fs";
import { access, lstat, readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { HookPhase } from "./phases.ts";

export interface HookFile {
  /** The name the journal uses: the phase for hooks/<phase>, the file name in hooks/<phase>.d/. */
  name: string;
  /** Relative to the repository: hooks/pre-apply.d/10-window. */
  path: string;
  /** The absolute path the hook is run by (inside the repository, as found). */
  absolutePath: string;
}

export interface SkippedHook {
  path: string;
  reason: string;
}

export interface DiscoveredHooks {
  phase: HookPhase;
  /** In the order they run. */
  hooks: HookFile[];
  /** Files that look like hooks and are not run (not executable, not a regular file). */
  skipped: SkippedHook[];
}

/** A hook refused outright: the phase's hooks must not run at all (an aborting phase aborts). */
export class HookDiscoveryError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "HookDiscoveryError";
  }
}

const IGNORED_IN_DIR = /(^\.|~$|\.(md|txt|bak|orig|rej|swp|disabled|dpkg-[a-z]+)$)/i;

function isInside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** The real path of `path`, refused when it leaves the repository (also through a symlink). */
async function insideRepo(realRoot: string, repoRoot: string, path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const rel = relative(repoRoot, path);
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new HookDiscoveryError(`hook ${rel} is a dangling symlink: refusing to run the hooks`, rel);
    throw err;
  }
  if (!isInside(realRoot, real)) {
    const rel = relative(repoRoot, path);
    throw new HookDiscoveryError(
      `hook ${rel} leads outside the repository (to ${real}): refusing to run the hooks; ` +
        "hooks must be files of the repository itself",
      rel,
    );
  }
  return real;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The hooks of `phase` in `repoRoot`, in the order they run. Throws HookDiscoveryError when a hook
 * (or hooks/, or the phase directory) leads outside the repository.
 */
export async function discoverHooks(phase: HookPhase, repoRoot: string): Promise<DiscoveredHooks> {
  const realRoot = await realpath(repoRoot);
  const out: DiscoveredHooks = { phase, hooks: [], skipped: [] };
  const hooksDir = join(repoRoot, "hooks");
  if (!(await exists(hooksDir))) return out;
  await insideRepo(realRoot, repoRoot, hooksDir);

  const consider = async (absolutePath: string, name: string): Promise<void> => {
    const path = relative(repoRoot, absolutePath);
    const real = await insideRepo(realRoot, repoRoot, absolutePath);
    const st = await stat(real);
    if (st.isDirectory()) {
      out.skipped.push({ path, reason: "a directory, not a hook" });
      return;
    }
    if (!st.isFile()) {
      out.skipped.push({ path, reason: "not a regular file" });
      return;
    }
    // Any execute bit, and executable for us (root passes access() with any bit set).
    if ((st.mode & 0o111) === 0 || !(await isExecutable(real))) {
      out.skipped.push({ path, reason: `not executable (chmod +x ${path} to run it)` });
      return;
    }
    out.hooks.push({ name, path, absolutePath });
  };

  const single = join(hooksDir, phase);
  if (await exists(single)) await consider(single, phase);

  const dir = join(hooksDir, `${phase}.d`);
  if (await exists(dir)) {
    const realDir = await insideRepo(realRoot, repoRoot, dir);
    if (!(await stat(realDir)).isDirectory()) {
      out.skipped.push({ path: relative(repoRoot, dir), reason: "not a directory" });
      return out;
    }
    // Byte order, not the locale's: the order must not depend on the machine that runs it.
    const names = (await readdir(dir)).filter((n) => !IGNORED_IN_DIR.test(n)).sort(byteOrder);
    for (const name of names) await consider(join(dir, name), name);
  }
  return out;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
