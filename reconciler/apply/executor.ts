// The executor: applies one wave of devices with DESIGN.md's protocol, in phases with a barrier
// between them, so that nothing is committed anywhere until every device has accepted its
// candidate:
//   1. prepare, every device: connect, lock, keys, snapshot, stage (validated on the device);
//   2. arm every device (a revert timer on the device);
//   3. commit every device; then re-arm them all, so the confirm timeout counts from the last
//      commit of the wave;
//   4. health gates over fresh connections, within what is left of that timeout;
//   5. confirm the whole wave, or roll the whole wave back.
// A failure in a phase stops the wave there: devices not yet committed are left byte-identical
// (their staged candidates removed), committed ones are rolled back. Every device locked is
// unlocked in every ending, and an abort (SIGINT) is honoured at every phase boundary without
// leaving a commit half-done. A device that cannot be reached after its commit reverts by itself;
// its outcome says when.
import type { ApplyContext, ApplyDriver, RestorePoint, Staged } from "../drivers/apply-contract.ts";
import type { HealthProbe, HealthReport } from "../drivers/health.ts";
import { ConnectionError, DeviceError, summarizeError } from "../model/errors.ts";
import type { Candidate, LiveState } from "../model/live.ts";
import type { DeviceOutcome, Result } from "../model/outcome.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { JournalEntry, StateStore } from "../state/store.ts";
import type { DeviceSession, Transport } from "../transport/session.ts";
import { evaluateHealth } from "./evaluate-health.ts";
import { mapLimit } from "./limit.ts";

export interface ApplyTarget {
  device: ResolvedDevice;
  intent: DeviceIntent;
  candidate: Candidate;
  live: LiveState;
  /** What must hold after the commit (apply/expectations.ts). */
  probes: HealthProbe[];
  /** WireGuard public keys git holds for this device: a device key that differs stops the apply. */
  publicKeys: Record<string, string>;
  /**
   * An emergency rollback: stage this configuration the device kept (driver.stageRestore) instead
   * of the candidate; no keys are generated. Everything after stage is the same protocol.
   */
  restore?: RestorePoint;
}

export interface ApplyOptions {
  runId: string;
  transport: Transport;
  drivers: Readonly<Partial<Record<string, ApplyDriver>>>;
  store: StateStore;
  env: Readonly<Record<string, string | undefined>>;
  /** How long each device waits for our confirm, from the wave's last commit, before reverting by itself. */
  confirmTimeoutS: number;
  /** How long health gates may take to pass. */
  healthTimeoutS: number;
  pollIntervalMs?: number;
  /**
   * After the gates first pass, wait this long and check again: a broken change can look healthy
   * until the old adjacency's dead interval runs out, so the default is the longest dead interval.
   */
  soakS?: number;
  /**
   * The order of the commits, layer by layer (rollout/waves.ts commitOrder); devices it does not
   * name commit in a last layer. Absent: every device at once.
   */
  commitOrder?: readonly (readonly string[])[];
  /** At most this many devices are worked on at once (connections, stages, health checks). Default 16. */
  parallel?: number;
  /** Aborted (SIGINT, SIGTERM): stop at the next safe point; commits in flight finish and are rolled back. */
  signal?: AbortSignal;
  onStep?: (device: string, step: string, ok: boolean, detail?: string) => void;
  /** Time source, for tests of the confirm budget. */
  now?: () => number;
}

export type { DeviceOutcome, Result } from "../model/outcome.ts";

interface InFlight {
  target: ApplyTarget;
  driver: ApplyDriver;
  ctx: ApplyContext;
  session?: DeviceSession;
  locked: boolean;
  staged?: Staged;
  armed: boolean;
  /** The commit was sent: from here on the device may run the new configuration. */
  committed: boolean;
  /** Our clock's latest bound on when the device's timer fires. */
  revertsAt?: number;
  health?: HealthReport;
  outcome?: DeviceOutcome;
  warnings: string[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** Time kept free after the health gates for the confirms to reach every device. */
export const CONFIRM_MARGIN_S = 30;

export async function applyWave(
  targets: readonly ApplyTarget[],
  opts: ApplyOptions,
): Promise<DeviceOutcome[]> {
  const now = opts.now ?? Date.now;
  const parallel = opts.parallel ?? 16;
  const aborted = () => opts.signal?.aborted === true;
  const flights: InFlight[] = targets.map((target) => {
    const driver = opts.drivers[target.device.platform];
    if (!driver) throw new Error(`no apply driver for platform ${target.device.platform}`);
    return {
      target,
      driver,
      ctx: { runId: opts.runId, device: target.device, intent: target.intent, env: opts.env },
      locked: false,
      armed: false,
      committed: false,
      warnings: [],
    };
  });
  const each = (list: readonly InFlight[], fn: (f: InFlight) => Promise<void>) =>
    mapLimit(list, parallel, fn).then(() => undefined);

  /** Journal writes never stop the protocol (a full disk must not leave a commit half-done). */
  const journal = async (f: InFlight, entry: Omit<JournalEntry, "time" | "runId" | "device">) => {
    try {
      await opts.store.journal({ runId: opts.runId, device: f.target.device.name, ...entry });
    } catch (err) {
      const w = `the journal could not be written: ${summarizeError(err).message}`;
      if (!f.warnings.includes(w)) f.warnings.push(w);
    }
  };

  const step = async (f: InFlight, name: string, run: () => Promise<void>): Promise<boolean> => {
    try {
      await run();
      // The journal first: a crash right after the step is announced must not lose the step.
      await journal(f, { step: name, ok: true });
      opts.onStep?.(f.target.device.name, name, true);
      return true;
    } catch (err) {
      const error = summarizeError(err);
      f.outcome = { device: f.target.device.name, result: "failed", failedStep: name, error };
      await journal(f, { step: name, ok: false, detail: error.message });
      opts.onStep?.(f.target.device.name, name, false, error.message);
      return false;
    }
  };

  /**
   * Runs fn over the device's session; when that connection is lost (a commit that cut it, a
   * flaky path), once more over a new one. Unlock, cleanup, confirm and rollback must reach the
   * device whatever happened to the connection the run started with.
   */
  const reaching = async (f: InFlight, fn: (s: DeviceSession) => Promise<void>): Promise<void> => {
    try {
      await fn(f.session as DeviceSession);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      f.session = await opts.transport.freshSession(f.target.device.name);
      await fn(f.session);
    }
  };

  const failed = () => flights.some((f) => f.outcome);
  const interrupted = (f: InFlight, phase: string) => {
    f.outcome ??= {
      device: f.target.device.name,
      result: "failed",
      failedStep: phase,
      error: { kind: "Interrupted", message: `the run was interrupted before ${phase}` },
    };
  };

  try {
    // 1. prepare: lock, keys, snapshot, stage. Nothing on any device changes yet.
    await each(flights, async (f) => {
      if (aborted()) return interrupted(f, "connect");
      const name = f.target.device.name;
      const connect = async () => {
        f.session = await opts.transport.session(name);
      };
      if (!(await step(f, "connect", connect))) return;
      const s = f.session as DeviceSession;
      if (!(await step(f, "lock", () => f.driver.lock(s, f.ctx)))) return;
      f.locked = true;
      const keys = f.driver.capabilities.keys;
      const present = new Set((f.target.live.state.wireguard ?? []).map((w) => w.name));
      const wg = (f.target.intent.wireguard ?? [])
        .map((w) => w.name)
        .filter((name) => !keys?.addsInterfaces || present.has(name));
      if (
        keys &&
        wg.length > 0 &&
        !f.target.restore &&
        !(await step(f, "keys", async () => checkKeys(f, await keys.ensureKeys(s, f.ctx, wg))))
      )
        return;
      if (
        !(await step(
          f,
          "snapshot",
          async () => void (await opts.store.saveSnapshot(opts.runId, f.target.live)),
        ))
      )
        return;
      await step(f, "stage", async () => {
        const point = f.target.restore;
        if (!point) f.staged = await f.driver.stage(s, f.ctx, f.target.candidate, f.target.live);
        else if (!f.driver.stageRestore)
          throw new Error("the driver cannot restore a configuration the device kept");
        else f.staged = await f.driver.stageRestore(s, f.ctx, point, f.target.live);
      });
    });
    if (failed() || aborted()) return await stopBeforeCommit("stage");

    // 2. arm every device (a platform with its own commit-confirm arms at its commit instead).
    await each(flights, async (f) => {
      if (aborted()) return interrupted(f, "arm");
      const arm = f.driver.arm?.bind(f.driver);
      if (f.driver.capabilities.nativeCommitConfirm || !arm) {
        if (!f.driver.capabilities.nativeCommitConfirm)
          await step(f, "arm", async () => {
            throw new Error("the driver can neither arm a revert timer nor confirm commits natively");
          });
        return;
      }
      const startedAt = now();
      if (
        await step(f, "arm", () =>
          arm(f.session as DeviceSession, f.ctx, f.staged as Staged, opts.confirmTimeoutS),
        )
      ) {
        f.armed = true;
        f.revertsAt = startedAt + opts.confirmTimeoutS * 1000;
      }
    });
    if (failed() || aborted()) return await stopBeforeCommit("arm");

    // 3. commit every device. Not interruptible: a commit in flight finishes, then rolls back.
    // With a commit order (devices reached through others of the wave), layer by layer, farthest
    // first: a layer starts only once the one before committed everywhere.
    for (const layer of commitLayers(flights, opts.commitOrder)) {
      if (failed()) break;
      await each(layer, async (f) => {
        f.committed = true; // from here on, a failure must be rolled back (the commit may be half done)
        const startedAt = now();
        await step(f, "commit", () =>
          f.driver.commit(f.session as DeviceSession, f.ctx, f.staged as Staged, opts.confirmTimeoutS),
        );
        if (f.driver.capabilities.nativeCommitConfirm) f.revertsAt = startedAt + opts.confirmTimeoutS * 1000;
      });
    }
    if (!failed() && !aborted()) {
      // The confirm timeout counts from the wave's last commit: re-arm every device that can.
      await each(flights, async (f) => {
        const rearm = f.driver.rearm?.bind(f.driver);
        if (!rearm || !f.armed) return;
        const startedAt = now();
        if (
          await step(f, "rearm", () =>
            reaching(f, (s) => rearm(s, f.ctx, f.staged as Staged, opts.confirmTimeoutS)),
          )
        )
          f.revertsAt = startedAt + opts.confirmTimeoutS * 1000;
      });
    }

    // 4. health gates over new connections, only when every device of the wave committed.
    if (!failed() && !aborted()) {
      const earliest = Math.min(...flights.map((f) => f.revertsAt ?? Number.POSITIVE_INFINITY));
      // The gates (and the soak) must end early enough for the confirms to arrive in time, even
      // when slow devices made the commit phase long.
      const budgetMs = Math.min(
        opts.healthTimeoutS * 1000,
        earliest - now() - (CONFIRM_MARGIN_S + (opts.soakS ?? 0)) * 1000,
      );
      await each(flights, (f) => gate(f, budgetMs));
    }

    // 5. confirm all, or roll back every device that committed.
    if (!failed() && !aborted()) {
      await each(flights, async (f) => {
        if (
          await step(f, "confirm", () => reaching(f, (s) => f.driver.confirm(s, f.ctx, f.staged as Staged)))
        ) {
          f.outcome = {
            device: f.target.device.name,
            result: "confirmed",
            ...(f.health ? { health: f.health } : {}),
          };
        } else if (f.outcome?.error?.kind === "ConnectionError") {
          markReverting(f);
        }
      });
      // A device whose confirm did not arrive reverts by itself; the ones confirmed keep the
      // change (their snapshots are gone with the confirm). Its outcome says so, with the time.
    } else {
      if (aborted()) for (const f of flights) if (!f.outcome) interrupted(f, "confirm");
      await rollbackCommitted("commit");
    }
    return outcomes();
  } finally {
    await each(
      flights.filter((f) => f.locked),
      async (f) => {
        try {
          await reaching(f, (s) => f.driver.unlock(s, f.ctx));
          f.locked = false;
        } catch (err) {
          const message = summarizeError(err).message;
          f.warnings.push(
            `the device's lock could not be released (${message}): free it with \`reconciler unlock ${f.target.device.name} --run ${opts.runId}\``,
          );
          opts.onStep?.(f.target.device.name, "unlock", false, message);
          await journal(f, { step: "unlock", ok: false, detail: message });
        }
      },
    );
    for (const f of flights) if (f.outcome && f.warnings.length > 0) f.outcome.warnings = f.warnings;
    for (const f of flights) if (f.outcome) await journalEnd(f, f.outcome);
  }

  function outcomes(): DeviceOutcome[] {
    return flights.map(
      (f) => f.outcome ?? { device: f.target.device.name, result: "failed", failedStep: "unknown" },
    );
  }

  /** The wave stopped before any commit: staged candidates removed, armed timers disarmed. */
  async function stopBeforeCommit(phase: string): Promise<DeviceOutcome[]> {
    await each(flights, async (f) => {
      if (f.session && f.armed) {
        // Nothing was committed: the rollback restores files identical to the live ones and
        // disarms the timer.
        try {
          await reaching(f, (s) => f.driver.rollback(s, f.ctx, f.staged as Staged));
        } catch (err) {
          f.warnings.push(`disarming the revert timer failed: ${summarizeError(err).message}`);
        }
      } else if (f.session && (f.staged || f.outcome?.failedStep === "stage")) {
        // Staged, or cut off while staging: the run directory may hold secrets.
        try {
          await reaching(f, (s) => f.driver.abandon(s, f.ctx));
        } catch (err) {
          f.warnings.push(`the staged candidate could not be removed: ${summarizeError(err).message}`);
        }
      }
      if (!f.outcome) {
        f.outcome = {
          device: f.target.device.name,
          result: "not-applied",
          failedStep: "wave",
          error: aborted()
            ? {
                kind: "Interrupted",
                message: `the run was interrupted before ${phase}: nothing was committed`,
              }
            : { kind: "WaveFailed", message: `another device failed at ${phase}: nothing was committed` },
        };
      } else if (f.outcome.error?.kind === "Interrupted") {
        f.outcome.result = "not-applied";
      }
    });
    return outcomes();
  }

  async function rollbackCommitted(phase: string): Promise<void> {
    await each(flights, async (f) => {
      if (!f.committed) {
        if (f.armed || f.staged) {
          await reaching(f, (s) =>
            f.armed ? f.driver.rollback(s, f.ctx, f.staged as Staged) : f.driver.abandon(s, f.ctx),
          ).catch((err) => f.warnings.push(`cleaning up the stage failed: ${summarizeError(err).message}`));
        }
        f.outcome ??= { device: f.target.device.name, result: "not-applied", failedStep: "wave" };
        return;
      }
      if (f.outcome?.result === "reverting") return;
      const before = f.outcome;
      const ok = await step(f, "rollback", () =>
        reaching(f, (s) => f.driver.rollback(s, f.ctx, f.staged as Staged)),
      );
      if (ok) {
        f.outcome = {
          ...(before ?? { device: f.target.device.name }),
          device: f.target.device.name,
          result: "rolled-back",
          failedStep: before?.failedStep ?? "wave",
        };
        if (!before) {
          f.outcome.error = {
            kind: "WaveFailed",
            message: aborted()
              ? "the run was interrupted: the wave rolls back whole"
              : `another device of the wave failed at ${phase}: the wave rolls back whole`,
          };
          if (f.health) f.outcome.health = f.health;
        }
      } else if (f.outcome?.error?.kind === "ConnectionError") {
        // Out of reach: its own timer restores the snapshot.
        f.outcome = { ...(before ?? f.outcome), device: f.target.device.name, result: "failed" };
        markReverting(f);
      } else {
        f.outcome = { ...(f.outcome as DeviceOutcome), result: "rollback-failed" };
      }
    });
  }

  function markReverting(f: InFlight): void {
    const at = f.revertsAt !== undefined ? new Date(f.revertsAt).toISOString() : undefined;
    const base = f.outcome ?? { device: f.target.device.name, result: "failed" as Result };
    f.outcome = {
      ...base,
      result: "reverting",
      ...(at ? { revertsAt: at } : {}),
      error: {
        kind: base.error?.kind ?? "ConnectionError",
        message: `${base.error?.message ?? "the device cannot be reached"}; it was committed and not confirmed, so it restores its previous configuration by itself${at ? ` at ${at} (by this machine's clock)` : ""}`,
      },
    };
    f.locked = false; // the device's own revert frees its lock; we cannot reach it anyway
  }

  async function journalEnd(f: InFlight, o: DeviceOutcome): Promise<void> {
    const state: Record<Result, string> = {
      confirmed: "new configuration, healthy",
      "rolled-back": "byte-identical to before (rolled back)",
      "not-applied": "byte-identical to before (never committed)",
      failed: f.committed ? "unknown (see the steps above)" : "byte-identical to before (never committed)",
      reverting: `reverting by itself${o.revertsAt ? ` at ${o.revertsAt}` : ""}`,
      "rollback-failed": "restore reported errors: check the device",
    };
    await journal(f, {
      step: "end",
      ok: o.result === "confirmed",
      detail: `${o.result}: ${state[o.result]}`,
    });
  }

  async function gate(f: InFlight, budgetMs: number): Promise<void> {
    const name = f.target.device.name;
    const deadline = now() + Math.max(0, budgetMs);
    let report: HealthReport | undefined;
    let lastError: unknown;
    let fresh: DeviceSession | undefined;
    do {
      try {
        // A new connection proves the change did not cut the management path.
        fresh ??= await opts.transport.freshSession(name);
        report = evaluateHealth(f.target.probes, await f.driver.health(fresh, f.ctx, f.target.probes));
        if (report.ok) break;
      } catch (err) {
        lastError = err;
        fresh = undefined;
      }
      if (now() >= deadline || aborted()) break;
      await sleep(opts.pollIntervalMs ?? 2000, opts.signal);
    } while (now() < deadline && !aborted());
    if (report?.ok && fresh && (opts.soakS ?? 0) > 0 && !aborted()) {
      opts.onStep?.(name, "health", true, `passed; checking again after a soak of ${opts.soakS} s`);
      await sleep((opts.soakS ?? 0) * 1000, opts.signal);
      try {
        report = evaluateHealth(f.target.probes, await f.driver.health(fresh, f.ctx, f.target.probes));
      } catch (err) {
        lastError = err;
        report = undefined;
      }
    }
    if (report?.ok && !aborted()) {
      opts.onStep?.(name, "health", true);
      f.health = report;
      await journal(f, { step: "health", ok: true });
      return;
    }
    const failing = report?.checks.filter((c) => !c.ok) ?? [];
    const seconds = Math.round(Math.max(0, budgetMs) / 1000);
    const message = aborted()
      ? "the run was interrupted during the health gates"
      : report
        ? `health gates failed after ${seconds} s: ${failing.map((c) => `${c.name}: expected ${c.expected}, saw ${c.seen}`).join("; ")}`
        : `the device could not be checked over a new connection: ${summarizeError(lastError).message}`;
    f.outcome = {
      device: name,
      result: "failed",
      failedStep: "health",
      error: { kind: aborted() ? "Interrupted" : "HealthFailedError", message },
      ...(report ? { health: report } : {}),
    };
    opts.onStep?.(name, "health", false, message);
    await journal(f, { step: "health", ok: false, detail: message });
  }

  function checkKeys(f: InFlight, onDevice: Record<string, string>): void {
    for (const [iface, key] of Object.entries(onDevice)) {
      const inGit = f.target.publicKeys[iface];
      if (inGit && inGit !== key) {
        throw new DeviceError(
          `the public key of ${iface} on the device (${key}) is not the one in inventory/wireguard-keys.yaml (${inGit}): run \`reconciler keys\` and commit the result first`,
          { device: f.target.device.name },
        );
      }
    }
  }
}

/** The flights in commit layers: as the order says, then the rest; one layer without an order. */
function commitLayers<F extends { target: { device: { name: string } } }>(
  flights: readonly F[],
  order: readonly (readonly string[])[] | undefined,
): F[][] {
  if (!order || order.length === 0) return [[...flights]];
  const placed = new Set<string>();
  const layers: F[][] = [];
  for (const names of order) {
    const layer = flights.filter((f) => names.includes(f.target.device.name));
    for (const f of layer) placed.add(f.target.device.name);
    if (layer.length > 0) layers.push(layer);
  }
  const rest = flights.filter((f) => !placed.has(f.target.device.name));
  if (rest.length > 0) layers.push(rest);
  return layers;
}
