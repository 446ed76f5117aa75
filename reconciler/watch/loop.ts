// `reconciler watch`: the GitOps loop for operators without Actions. Every interval (with jitter,
// or at once when the webhook says a push happened) it asks the remote which commit the tracked
// branch is at; a new one is fetched and rolled out with the rollout engine (through apply: the
// run lock, the freeze and the lockout analysis hold as for any run). Between commits it stays
// level-triggered: each interval it plans the last revision again and reports drift, repairing it
// only when --repair is on; devices that failed are left out for a growing number of intervals
// (backoff.ts) and then tried again. A stop signal ends the loop after the current step: a run in
// progress is never left with a device mid-commit (apply handles the signal itself). I/O comes in
// through WatchDeps, so the loop is tested without git, devices or clocks.
import type { RunRecord } from "../state/runs.ts";
import { Backoff } from "./backoff.ts";
import type { WatchEvent } from "./log.ts";

export interface RolloutAttempt {
  /** The run's exit code (0: every change confirmed). */
  code: number;
  /** The run's record: who was confirmed, who failed. */
  record?: RunRecord;
  /** Why nothing was tried: the fleet is frozen, the revision was rolled back, another run holds the lock. */
  refused?: string;
}

export interface WatchDeps {
  head(): Promise<string>;
  fetch(): Promise<string>;
  /** Rolls out `revision` leaving out `exclude` (devices backing off). */
  rollout(revision: string, exclude: readonly string[]): Promise<RolloutAttempt>;
  /** Plans `revision` against the devices: which differ from it, which could not be read. */
  drift(revision: string, exclude: readonly string[]): Promise<{ drifted: string[]; unreachable: string[] }>;
  /** A commit status on `revision`, when a GitHub token is configured. */
  status?(
    revision: string,
    state: "pending" | "success" | "failure" | "error",
    description: string,
  ): Promise<void>;
  log(e: WatchEvent): void;
  /** Waits `ms`, ending early when woken (webhook) or stopped. */
  sleep(ms: number): Promise<void>;
  now(): number;
  random(): number;
}

export interface WatchOptions {
  intervalMs: number;
  /** Fraction of the interval added or removed at random, so that many watchers do not poll in step. */
  jitter?: number;
  repair?: boolean;
  /** Stop after this many loops (tests, `--once`). */
  maxLoops?: number;
  stopped(): boolean;
}

export async function watchLoop(opts: WatchOptions, deps: WatchDeps): Promise<void> {
  const backoff = new Backoff(opts.intervalMs);
  let current: string | undefined;
  /** The revision is not rolled out yet (refused, or failed devices waiting): try again later. */
  let pending = false;
  let lastRefusal: string | undefined;
  const status = async (rev: string, state: "pending" | "success" | "failure" | "error", text: string) => {
    if (!deps.status) return;
    try {
      await deps.status(rev, state, text);
    } catch (e) {
      deps.log({ event: "status-failed", revision: rev.slice(0, 12), error: (e as Error).message });
    }
  };

  const rollout = async (rev: string): Promise<void> => {
    const waiting = backoff.waiting(deps.now());
    await status(rev, "pending", "rolling out");
    deps.log({ event: "rollout-start", revision: rev.slice(0, 12), backingOff: [...waiting.keys()] });
    const r = await deps.rollout(rev, [...waiting.keys()]);
    if (r.refused) {
      pending = true;
      if (r.refused !== lastRefusal) {
        deps.log({ event: "rollout-refused", revision: rev.slice(0, 12), why: r.refused });
        await status(rev, "error", `not rolled out: ${r.refused}`);
      }
      lastRefusal = r.refused;
      return;
    }
    lastRefusal = undefined;
    const failed: string[] = [];
    for (const d of r.record?.devices ?? []) {
      if (d.result === "confirmed") backoff.succeeded(d.device);
      else if (d.result !== "not-reached") {
        failed.push(d.device);
        const b = backoff.failed(d.device, deps.now());
        deps.log({
          event: "device-backoff",
          device: d.device,
          failures: b.failures,
          until: new Date(b.until).toISOString(),
        });
      }
    }
    pending = r.code !== 0 || failed.length > 0 || backoff.waiting(deps.now()).size > 0;
    deps.log({
      event: r.code === 0 ? "rollout-done" : "rollout-failed",
      revision: rev.slice(0, 12),
      run: r.record?.runId,
      result: r.record?.result,
      failed,
    });
    await status(
      rev,
      r.code === 0 ? "success" : "failure",
      r.code === 0 ? "rolled out" : `failed on ${failed.join(", ") || "the run"}`,
    );
  };

  for (let loop = 0; !opts.stopped() && (opts.maxLoops === undefined || loop < opts.maxLoops); loop++) {
    try {
      const head = await deps.head();
      if (head !== current) {
        const fetched = await deps.fetch();
        deps.log({ event: "new-revision", revision: fetched.slice(0, 12), previous: current?.slice(0, 12) });
        current = fetched;
        await rollout(fetched);
      } else if (current && pending && backoff.waiting(deps.now()).size === 0) {
        // Refused before, or devices that failed and whose wait is over: the same revision again.
        await rollout(current);
      } else if (current && !opts.stopped()) {
        const waiting = [...backoff.waiting(deps.now()).keys()];
        const d = await deps.drift(current, waiting);
        if (d.drifted.length > 0 || d.unreachable.length > 0) {
          deps.log({
            event: "drift",
            revision: current.slice(0, 12),
            drifted: d.drifted,
            unreachable: d.unreachable,
          });
          if (opts.repair && d.drifted.length > 0) await rollout(current);
        }
      }
    } catch (e) {
      deps.log({ event: "error", error: (e as Error).message });
    }
    if (opts.stopped() || (opts.maxLoops !== undefined && loop + 1 >= opts.maxLoops)) break;
    const jitter = opts.jitter ?? 0.1;
    await deps.sleep(Math.round(opts.intervalMs * (1 + jitter * (2 * deps.random() - 1))));
  }
  deps.log({ event: "stopped", revision: current?.slice(0, 12) });
}
