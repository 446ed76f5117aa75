// The executor: applies one wave of devices with DESIGN.md's protocol. Every device of the wave
// is locked, staged (validated on the device), armed (a revert timer on the device) and
// committed; then health gates run over fresh connections; then the whole wave is confirmed, or
// the whole wave is rolled back. A device whose change is never confirmed reverts by itself.
import type {
  ApplyContext,
  ApplyDriver,
  HealthExpectations,
  HealthReport,
  Staged,
} from "../drivers/apply-contract.ts";
import { DeviceError, type ErrorSummary, summarizeError } from "../model/errors.ts";
import type { LiveState, Rendered } from "../model/live.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { StateStore } from "../state/store.ts";
import type { DeviceSession, Transport } from "../transport/session.ts";

export interface ApplyTarget {
  device: ResolvedDevice;
  intent: DeviceIntent;
  rendered: Rendered;
  live: LiveState;
  expect: HealthExpectations;
  /** WireGuard public keys git holds for this device: a device key that differs stops the apply. */
  publicKeys: Record<string, string>;
}

export interface ApplyOptions {
  runId: string;
  transport: Transport;
  drivers: Readonly<Partial<Record<string, ApplyDriver>>>;
  store: StateStore;
  env: Readonly<Record<string, string | undefined>>;
  /** How long the device waits for our confirm before reverting by itself. */
  confirmTimeoutS: number;
  /** How long health gates may take to pass. */
  healthTimeoutS: number;
  pollIntervalMs?: number;
  /**
   * After the gates first pass, wait this long and check again: a broken change can look healthy
   * until the old adjacency's dead interval runs out, so the default is the longest dead interval.
   */
  soakS?: number;
  onStep?: (device: string, step: string, ok: boolean, detail?: string) => void;
  /**
   * Fault injection for tests of the on-device revert: "exit-after-commit" ends the process right
   * after the commits, as a crash or a cut management path would, so nothing is confirmed.
   */
  fault?: string;
}

export type Result = "confirmed" | "rolled-back" | "failed" | "rollback-failed";

export interface DeviceOutcome {
  device: string;
  result: Result;
  /** Where it stopped, for a failure: lock, keys, stage, arm, commit, health, rollback. */
  failedStep?: string;
  error?: ErrorSummary;
  health?: HealthReport;
}

interface InFlight {
  target: ApplyTarget;
  driver: ApplyDriver;
  ctx: ApplyContext;
  session?: DeviceSession;
  locked: boolean;
  staged?: Staged;
  committed: boolean;
  health?: HealthReport;
  outcome?: DeviceOutcome;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function applyWave(
  targets: readonly ApplyTarget[],
  opts: ApplyOptions,
): Promise<DeviceOutcome[]> {
  const step = async (f: InFlight, name: string, run: () => Promise<void>): Promise<boolean> => {
    try {
      await run();
      opts.onStep?.(f.target.device.name, name, true);
      await opts.store.journal({ runId: opts.runId, device: f.target.device.name, step: name, ok: true });
      return true;
    } catch (err) {
      const error = summarizeError(err);
      f.outcome = { device: f.target.device.name, result: "failed", failedStep: name, error };
      opts.onStep?.(f.target.device.name, name, false, error.message);
      await opts.store.journal({
        runId: opts.runId,
        device: f.target.device.name,
        step: name,
        ok: false,
        detail: error.message,
      });
      return false;
    }
  };

  const flights: InFlight[] = targets.map((target) => {
    const driver = opts.drivers[target.device.platform];
    if (!driver) throw new Error(`no apply driver for platform ${target.device.platform}`);
    return {
      target,
      driver,
      ctx: { runId: opts.runId, device: target.device, intent: target.intent, env: opts.env },
      locked: false,
      committed: false,
    };
  });

  // 1-5: lock, keys, snapshot + stage (validated on the device), arm, commit; devices in parallel.
  await Promise.all(
    flights.map(async (f) => {
      const name = f.target.device.name;
      if (
        !(await step(f, "connect", async () => {
          f.session = await opts.transport.session(name);
        }))
      )
        return;
      const s = f.session as DeviceSession;
      if (!(await step(f, "lock", async () => f.driver.lock(s, f.ctx)))) return;
      f.locked = true;
      const wg = (f.target.intent.wireguard ?? []).map((w) => w.name);
      if (
        wg.length > 0 &&
        !(await step(f, "keys", async () => checkKeys(f, await f.driver.ensureKeys(s, f.ctx, wg))))
      )
        return;
      await opts.store.saveSnapshot(opts.runId, f.target.live);
      if (
        !(await step(f, "stage", async () => {
          f.staged = await f.driver.stage(s, f.ctx, f.target.rendered, f.target.live);
        }))
      )
        return;
      const staged = f.staged as Staged;
      if (!(await step(f, "arm", async () => f.driver.arm(s, f.ctx, staged, opts.confirmTimeoutS)))) return;
      f.committed = true; // from here on, a failure must be rolled back (the commit may be half done)
      await step(f, "commit", async () => f.driver.commit(s, f.ctx, staged));
    }),
  );

  if (opts.fault === "exit-after-commit") {
    // Simulates a crash or a cut management path: no confirm, no rollback, no unlock.
    process.exit(70);
  }

  // 6: health gates over new connections, only when every device of the wave committed.
  const waveCommitted = flights.every((f) => f.committed && !f.outcome);
  if (waveCommitted) {
    await Promise.all(flights.map((f) => gate(f, opts)));
  }

  // 7: confirm all, or roll back every device that got as far as arming.
  const healthy = flights.every((f) => !f.outcome);
  await Promise.all(
    flights.map(async (f) => {
      const s = f.session;
      if (s && healthy) {
        if (await step(f, "confirm", async () => f.driver.confirm(s, f.ctx))) {
          f.outcome = {
            device: f.target.device.name,
            result: "confirmed",
            ...(f.health ? { health: f.health } : {}),
          };
        }
      } else if (s && f.committed && f.staged) {
        const staged = f.staged;
        const before = f.outcome;
        const ok = await step(f, "rollback", async () => f.driver.rollback(s, f.ctx, staged));
        f.outcome = ok
          ? {
              ...(before ?? { device: f.target.device.name }),
              device: f.target.device.name,
              result: "rolled-back",
              failedStep: before?.failedStep ?? "wave",
            }
          : { ...(f.outcome as DeviceOutcome), result: "rollback-failed" };
        if (ok && !before) {
          f.outcome.error = {
            kind: "WaveFailed",
            message: "another device of the wave failed: the wave rolls back whole",
          };
          if (f.health) f.outcome.health = f.health;
        }
      }
      if (s && f.locked) await f.driver.unlock(s, f.ctx).catch(() => undefined);
    }),
  );
  return flights.map(
    (f) => f.outcome ?? { device: f.target.device.name, result: "failed", failedStep: "unknown" },
  );

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

async function gate(f: InFlight, opts: ApplyOptions): Promise<void> {
  const name = f.target.device.name;
  const deadline = Date.now() + opts.healthTimeoutS * 1000;
  let report: HealthReport | undefined;
  let lastError: unknown;
  let fresh: DeviceSession | undefined;
  while (Date.now() < deadline) {
    try {
      // A new connection proves the change did not cut the management path.
      fresh ??= await opts.transport.freshSession(name);
      report = await f.driver.health(fresh, f.ctx, f.target.expect);
      if (report.ok) break;
    } catch (err) {
      lastError = err;
      fresh = undefined;
    }
    await sleep(opts.pollIntervalMs ?? 2000);
  }
  if (report?.ok && fresh && (opts.soakS ?? 0) > 0) {
    opts.onStep?.(name, "health", true, `passed; checking again after a soak of ${opts.soakS} s`);
    await sleep((opts.soakS ?? 0) * 1000);
    try {
      report = await f.driver.health(fresh, f.ctx, f.target.expect);
    } catch (err) {
      lastError = err;
      report = undefined;
    }
  }
  if (report?.ok) {
    opts.onStep?.(name, "health", true);
    f.outcome = undefined;
    f.health = report;
    await opts.store.journal({ runId: opts.runId, device: name, step: "health", ok: true });
    return;
  }
  const failing = report?.checks.filter((c) => !c.ok) ?? [];
  const message = report
    ? `health gates failed after ${opts.healthTimeoutS} s: ${failing.map((c) => `${c.name}: expected ${c.expected}, saw ${c.seen}`).join("; ")}`
    : `the device could not be checked over a new connection: ${summarizeError(lastError).message}`;
  f.outcome = {
    device: name,
    result: "failed",
    failedStep: "health",
    error: { kind: "HealthFailedError", message },
    ...(report ? { health: report } : {}),
  };
  opts.onStep?.(name, "health", false, message);
  await opts.store.journal({ runId: opts.runId, device: name, step: "health", ok: false, detail: message });
}
