// The repository-wide run lock, on top of the device locks: one run that changes devices at a
// time per state store (`<state>/run.lock`; point RECONCILER_STATE_DIR of two checkouts at one
// directory to share it). The lock file is written whole under a temporary name and then linked
// into place, which fails if it exists: taking it is atomic, and a reader never sees it half
// written. It names its holder (run id, host, pid, time, command); a second run is refused with
// that. A holder on this host whose process is gone is stale: it is reported, never taken over
// (the dead run's devices may still be reverting), and `reconciler unlock --repo-lock --run ID`
// frees it.
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

export interface RunLockHolder {
  runId: string;
  host: string;
  pid: number;
  /** ISO time the lock was taken. */
  time: string;
  command: string;
}

export const RUN_LOCK_FILE = "run.lock";

export class RunLockHeldError extends Error {
  constructor(
    readonly holder: RunLockHolder | undefined,
    readonly stale: boolean,
  ) {
    super(describeHolder(holder, stale));
  }
}

function describeHolder(h: RunLockHolder | undefined, stale: boolean): string {
  if (!h)
    return "another run holds the repository's run lock, and its lock file cannot be read: if no run is going on, remove it by hand";
  const who = `run ${h.runId} (${h.command}, pid ${h.pid} on ${h.host}, since ${h.time})`;
  return stale
    ? `the repository's run lock is held by ${who}, which looks stale: its process (pid ${h.pid} on this host) is gone. Free it with \`reconciler unlock --repo-lock --run ${h.runId}\``
    : `another run holds the repository's run lock: ${who}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stale: held on this host by a process that no longer exists. */
export function isStale(h: RunLockHolder, host = hostname()): boolean {
  return h.host === host && !alive(h.pid);
}

export async function readRunLock(dir: string): Promise<RunLockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, RUN_LOCK_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const h = JSON.parse(text) as RunLockHolder;
  if (typeof h?.runId !== "string" || typeof h.pid !== "number") throw new Error("not a run lock");
  return h;
}

export interface RunLock {
  holder: RunLockHolder;
  /** Frees the lock if it is still this run's; safe to call twice. */
  release(): Promise<void>;
}

export async function acquireRunLock(dir: string, run: { runId: string; command: string }): Promise<RunLock> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const holder: RunLockHolder = {
    runId: run.runId,
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
    command: run.command,
  };
  const path = join(dir, RUN_LOCK_FILE);
  const tmp = join(dir, `.${RUN_LOCK_FILE}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(holder)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    let other: RunLockHolder | undefined;
    try {
      other = await readRunLock(dir);
    } catch {
      other = undefined;
    }
    // Freed between our attempt and our read: the caller may simply try again.
    throw new RunLockHeldError(other, other ? isStale(other) : false);
  } finally {
    await rm(tmp, { force: true });
  }
  let released = false;
  return {
    holder,
    release: async () => {
      if (released) return;
      released = true;
      await releaseRunLock(dir, holder.runId);
    },
  };
}

/** Frees the lock when `runId` holds it: "released", "not-locked", or the holder that is not that run. */
export async function releaseRunLock(
  dir: string,
  runId: string,
): Promise<"released" | "not-locked" | RunLockHolder> {
  const h = await readRunLock(dir);
  if (!h) return "not-locked";
  if (h.runId !== runId) return h;
  await rm(join(dir, RUN_LOCK_FILE), { force: true });
  return "released";
}

/** Runs fn under the lock; released in every ending. */
export async function withRunLock<T>(
  dir: string,
  run: { runId: string; command: string },
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await acquireRunLock(dir, run);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
