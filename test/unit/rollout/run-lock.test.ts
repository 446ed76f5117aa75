// The repository-wide run lock: a second run refuses naming the holder; a holder whose process on
// this host is gone is taken over; only a run's own id frees it; released in every ending.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  acquireRunLock,
  RunLockHeldError,
  readRunLock,
  releaseRunLock,
  withRunLock,
} from "../../../reconciler/state/run-lock.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), "reconciler-run-lock-"));
  dirs.push(d);
  return join(d, ".state");
};

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

describe("the run lock", () => {
  it("refuses a second run, naming the holder; frees it once released", async () => {
    const dir = stateDir();
    const first = await acquireRunLock(dir, { runId: "run-1", command: "apply" });
    const second = acquireRunLock(dir, { runId: "run-2", command: "apply" });
    await expect(second).rejects.toThrow(RunLockHeldError);
    await expect(second).rejects.toThrow(
      new RegExp(
        `another run holds the repository's run lock: run run-1 \\(apply, pid ${process.pid} on ${hostname()}, since `,
      ),
    );
    expect((await readRunLock(dir))?.runId).toBe("run-1");
    await first.release();
    expect(await readRunLock(dir)).toBeUndefined();
    const third = await acquireRunLock(dir, { runId: "run-3", command: "keys" });
    expect((await readRunLock(dir))?.command).toBe("keys");
    await third.release();
    // No temporary file is left behind by either the winner or the loser.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock whose process on this host is gone, and says whose it was", async () => {
    const dir = stateDir();
    const pid = deadPid();
    writeFileSync(
      join(dir, "..", "dead.lock"),
      JSON.stringify({
        runId: "run-dead",
        host: hostname(),
        pid,
        time: "2026-11-29T12:00:00Z",
        command: "apply",
      }),
    );
    await acquireRunLock(dir, { runId: "run-0", command: "apply" }).then((l) => l.release());
    writeFileSync(join(dir, "run.lock"), readFileSync(join(dir, "..", "dead.lock")));
    const lock = await acquireRunLock(dir, { runId: "run-2", command: "apply" });
    expect(lock.tookOver).toEqual(expect.objectContaining({ runId: "run-dead", pid }));
    expect((await readRunLock(dir))?.runId).toBe("run-2");
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("frees a lock only for its own run id", async () => {
    const dir = stateDir();
    await acquireRunLock(dir, { runId: "run-1", command: "apply" });
    expect(await releaseRunLock(dir, "run-2")).toEqual(expect.objectContaining({ runId: "run-1" }));
    expect((await readRunLock(dir))?.runId).toBe("run-1");
    expect(await releaseRunLock(dir, "run-1")).toBe("released");
    expect(await releaseRunLock(dir, "run-1")).toBe("not-locked");
  });

  it("never takes over a holder on another host: it names it and how to free it", async () => {
    const dir = stateDir();
    await acquireRunLock(dir, { runId: "run-x", command: "apply" });
    writeFileSync(
      join(dir, "run.lock"),
      JSON.stringify({ runId: "run-x", host: "ci-runner-7", pid: deadPid(), time: "t", command: "apply" }),
    );
    const err = await acquireRunLock(dir, { runId: "run-2", command: "apply" }).catch((e) => e);
    expect(err).toBeInstanceOf(RunLockHeldError);
    expect(err.message).toMatch(
      /run run-x \(apply, pid \d+ on ci-runner-7, since t\)\. If that run is gone, free it with `reconciler unlock --repo-lock --run run-x`/,
    );
    expect((await readRunLock(dir))?.runId).toBe("run-x");
  });

  it("is released when the run throws, and not released by a run that does not hold it", async () => {
    const dir = stateDir();
    await expect(
      withRunLock(dir, { runId: "run-1", command: "apply" }, async () => {
        expect((await readRunLock(dir))?.runId).toBe("run-1");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await readRunLock(dir)).toBeUndefined();
    const held = await acquireRunLock(dir, { runId: "run-2", command: "apply" });
    // A refused run's finally must not free the holder's lock.
    await expect(withRunLock(dir, { runId: "run-3", command: "apply" }, async () => 1)).rejects.toThrow(
      RunLockHeldError,
    );
    expect((await readRunLock(dir))?.runId).toBe("run-2");
    await held.release();
  });
});
