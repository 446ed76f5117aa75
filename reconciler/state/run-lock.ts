// The repository-wide run lock, on top of the device locks: one run that changes devices at a
// time per state store (`<state>/run.lock`; point RECONCILER_STATE_DIR of two checkouts at one
// directory to share it). The lock file is written whole under a temporary name and then linked
// into place, which fails if it exists: taking it is atomic, and a reader never sees it half
// written. It names its holder (run id, host, pid, time, command); a second run is refused with
// that. A holder on this host whose process is gone is stale: the next run takes the lock over and
// says so (`tookOver`). That is safe because the lock only keeps two live runs apart: what a dead
// run left on a device (a pending revert, a staged candidate) is guarded by that device's own
// lock, which refuses the next run until the revert is done or `reconciler unlock DEVICE --run ID`
// frees it. A holder on another host cannot be checked from here: if that run is gone (a CI
// runner that died), `reconciler unlock --repo-lock --run ID` frees it.
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, rm } from "node:fs/promises";
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
  constructor(readonly holder: RunLockHolder | undefined) {
    super(
      holder
        ? `another run holds the repository's run lock: ${describeHolder(holder)}. If that run is gone, free it with \`reconciler unlock --repo-lock --run ${holder.runId}\``
        : "another run holds the repository's run lock, and its lock file cannot be read: if no run is going on, remove it by hand",
    );
  }
}

export const describeHolder = (h: RunLockHolder) =>
  `run ${h.runId} (${h.command}, pid ${h.pid} on ${h.host}, since ${h.time})`;

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
  /** The stale lock this run took over: its process on this host was gone. */
  tookOver?: RunLockHolder;
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
  let tookOver: RunLockHolder | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      let other: RunLockHolder | undefined;
      let unreadable = false;
      try {
        other = await readRunLock(dir);
      } catch {
        unreadable = true;
      }
      // Released between our link and our read: try again.
      if (!other && !unreadable && attempt < 3) continue;
      if (!other || tookOver || !isStale(other)) throw new RunLockHeldError(other);
      tookOver = await takeOver(dir, other);
    }
  } finally {
    await rm(tmp, { force: true });
  }
  let released = false;
  return {
    holder,
    ...(tookOver ? { tookOver } : {}),
    release: async () => {
      if (released) return;
      released = true;
      await releaseRunLock(dir, holder.runId);
    },
  };
}

/**
 * Moves the stale lock aside under a name of our own, so that of two runs taking it over at once
 * only one gets it; if what was moved is not the stale lock any more (another run took it over
 * first), it is put back.
 */
async function takeOver(dir: string, stale: RunLockHolder): Promise<RunLockHolder> {
  const path = join(dir, RUN_LOCK_FILE);
  const aside = join(dir, `.${RUN_LOCK_FILE}.${randomBytes(6).toString("hex")}.stale`);
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return stale;
    throw err;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  const same =
    moved.includes(`"runId":${JSON.stringify(stale.runId)}`) && moved.includes(`"pid":${stale.pid}`);
  if (!same) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
  return stale;
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
