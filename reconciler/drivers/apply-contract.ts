// The apply half of a driver: the per-device steps of DESIGN.md's apply protocol. The executor
// (reconciler/apply) calls them in order: lock, stage, arm (unless the platform has its own
// commit-confirm), commit, health (polled), then confirm or rollback, then unlock. Every step
// takes a DeviceSession; health gets a fresh one. What a platform can do beyond that is declared
// in ApplyCapabilities and read by the executor.
import type { Candidate, LiveState } from "../model/live.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { DeviceSession } from "../transport/session.ts";
import type { HealthProbe, Observation } from "./health.ts";

export type { HealthCheck, HealthProbe, HealthReport, Observation } from "./health.ts";

export interface ApplyContext {
  /** Unique per apply run, e.g. 20261125T140000Z-3f9a; names the device-side run directory. */
  runId: string;
  device: ResolvedDevice;
  /** The desired state being applied (already expanded). */
  intent: DeviceIntent;
  /** Where secrets named by *_env come from. Never logged. */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The candidate as staged on the device and validated there: what the later steps of the same
 * run need, held by the executor (not in a driver's module state).
 */
export interface Staged {
  runId: string;
  /** Where the candidate waits on the device (a run directory; a scheduled script; ...). */
  where: string;
  /** The secret values the candidate carries: device output of this run is redacted with them. Memory only. */
  secrets: readonly string[];
}

/** WireGuard private keys generated on the device (they never leave it). */
export interface KeysCapability {
  /**
   * The key lives in the interface itself (RouterOS): ensureKeys adds a missing interface. The
   * executor then asks only about interfaces the device already has; the candidate adds the
   * others (their keys are new, so git cannot hold them yet: `reconciler keys` comes first).
   */
  readonly addsInterfaces?: boolean;
  /** Makes sure every named interface has a private key on the device; returns the public keys. */
  ensureKeys(
    session: DeviceSession,
    ctx: ApplyContext,
    interfaces: readonly string[],
  ): Promise<Record<string, string>>;
}

/**
 * A configuration the device kept of its own: the managed files as they were before a confirmed
 * run (that run's snapshot, on the device). Restoring it undoes the run, needing only SSH.
 */
export interface RestorePoint {
  /** The confirmed run this point undoes. */
  runId: string;
  /** When that run was confirmed (as the device recorded it). */
  confirmedAt?: string;
  /** Every file the run managed: its copy in the run's snapshot, or absent (the run created it). */
  files: { path: string; snapshotIndex?: number; absent?: boolean }[];
}

export interface ApplyCapabilities {
  /**
   * The platform reverts an unconfirmed commit by itself (its own commit-confirm): the executor
   * calls no arm/rearm; commit starts the platform's timer with the confirm timeout.
   */
  nativeCommitConfirm: boolean;
  /** stage() validates the candidate with the device's own tool before anything is committed. */
  onDeviceValidation: boolean;
  /** Present where the platform generates WireGuard keys on the device. */
  keys?: KeysCapability;
}

export interface ApplyDriver {
  readonly capabilities: ApplyCapabilities;
  /** Takes the device's lock (LockHeldError naming the holder if another run has it). */
  lock(session: DeviceSession, ctx: ApplyContext): Promise<void>;
  /** Releases this run's lock (another run's is left alone). */
  unlock(session: DeviceSession, ctx: ApplyContext): Promise<void>;
  /**
   * `reconciler unlock DEVICE --run ID`: frees the lock of a run that died, only if that run
   * holds it and no revert of it is pending. LockHeldError (nothing changed) otherwise.
   */
  releaseLock(
    session: DeviceSession,
    device: ResolvedDevice,
    runId: string,
  ): Promise<"released" | "not-locked">;
  /**
   * `reconciler status --devices`: who holds the device's lock, read-only (undefined: free), and
   * whether that holder looks stale.
   */
  lockState?(
    session: DeviceSession,
    device: ResolvedDevice,
  ): Promise<{ describe: string; stale?: string } | undefined>;
  /** Uploads the candidate and validates it on the device (see capabilities.onDeviceValidation). */
  stage(
    session: DeviceSession,
    ctx: ApplyContext,
    candidate: Candidate,
    snapshot: LiveState,
  ): Promise<Staged>;
  /**
   * Arms a revert timer on the device: a detached process that, unless confirm() runs within
   * timeoutS, restores the snapshot and reloads, by itself, even if the reconciler is gone.
   * Required unless capabilities.nativeCommitConfirm.
   */
  arm?(session: DeviceSession, ctx: ApplyContext, staged: Staged, timeoutS: number): Promise<void>;
  /**
   * Restarts the revert timer so that it fires timeoutS from now: the executor calls it on every
   * device once the last commit of the wave is done, so the confirm timeout counts from there.
   */
  rearm?(session: DeviceSession, ctx: ApplyContext, staged: Staged, timeoutS: number): Promise<void>;
  /**
   * The staged candidate will never be committed (another device of the wave failed first):
   * remove it from the device, since it may hold secrets. Nothing running is touched.
   */
  abandon(session: DeviceSession, ctx: ApplyContext): Promise<void>;
  /**
   * Moves the candidate into place and makes the running state follow it. With a native
   * commit-confirm, starts the platform's own timer of timeoutS.
   */
  commit(session: DeviceSession, ctx: ApplyContext, staged: Staged, timeoutS: number): Promise<void>;
  /** One pass of collecting what the probes ask about (the executor evaluates and polls). */
  health(session: DeviceSession, ctx: ApplyContext, probes: readonly HealthProbe[]): Promise<Observation[]>;
  /** Disarms the revert timer: the change stays. */
  confirm(session: DeviceSession, ctx: ApplyContext, staged: Staged): Promise<void>;
  /** Restores the snapshot now (files byte-identical, running state following them) and disarms. */
  rollback(session: DeviceSession, ctx: ApplyContext, staged: Staged): Promise<void>;
  /**
   * Emergency rollback: the configurations the device kept from before its confirmed runs, newest
   * first (runs already undone are not listed). Absent where the platform keeps none.
   */
  restorePoints?(session: DeviceSession, ctx: ApplyContext): Promise<RestorePoint[]>;
  /**
   * Stages, as this run's candidate, the configuration of a restore point, copied on the device
   * (secrets never travel); commit, health, confirm and rollback then run as for any candidate,
   * and confirm marks the point's run undone.
   */
  stageRestore?(
    session: DeviceSession,
    ctx: ApplyContext,
    point: RestorePoint,
    snapshot: LiveState,
  ): Promise<Staged>;
}
