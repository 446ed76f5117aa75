// The apply half of a driver: the per-device steps of DESIGN.md's apply protocol. The executor
// (reconciler/apply) calls them in order: lock, stage, arm, commit, health (polled), then confirm
// or rollback, then unlock. Every step takes a DeviceSession; health gets a fresh one.
import type { LiveState, Rendered } from "../model/live.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { DeviceSession } from "../transport/session.ts";

export interface ApplyContext {
  /** Unique per apply run, e.g. 20261125T140000Z-3f9a; names the device-side run directory. */
  runId: string;
  device: ResolvedDevice;
  /** The desired state being applied (already expanded). */
  intent: DeviceIntent;
  /** Where secrets named by *_env come from. Never logged. */
  env: Readonly<Record<string, string | undefined>>;
}

/** The candidate as uploaded to the device and validated there. */
export interface Staged {
  runId: string;
  /** The device-side directory holding the candidate files. */
  dir: string;
  /** Every managed file: its new content, or null when the commit removes it. */
  files: Record<string, string | null>;
}

export interface HealthExpectations {
  /** OSPF adjacencies that must be Full: on which interface, with which neighbour router id. */
  ospfNeighbors: { interface: string; routerId: string }[];
  /**
   * WireGuard peers that must prove the tunnel works after the commit: a handshake after it, or
   * packets received from the peer after it. `probe` is the peer's address inside the tunnel: the
   * health check sends it a ping first, so that a tunnel without other traffic is proven too.
   */
  wireguardPeers: { interface: string; publicKey: string; probe?: string }[];
  /** Prefixes that must be in the kernel's main table, installed by the routing daemon. */
  routes: string[];
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  expected: string;
  seen: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheck[];
}

export interface ApplyDriver {
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
   * Makes sure every named WireGuard interface has a private key on the device (generated there,
   * root-only, never read back) and returns the public keys.
   */
  ensureKeys(
    session: DeviceSession,
    ctx: ApplyContext,
    interfaces: readonly string[],
  ): Promise<Record<string, string>>;
  /** Uploads the candidate to a run directory and validates it with the daemons' own checks. */
  stage(session: DeviceSession, ctx: ApplyContext, rendered: Rendered, snapshot: LiveState): Promise<Staged>;
  /**
   * Arms a revert timer on the device: a detached process that, unless confirm() runs within
   * timeoutS, restores the snapshot and reloads, by itself, even if the reconciler is gone.
   */
  arm(session: DeviceSession, ctx: ApplyContext, staged: Staged, timeoutS: number): Promise<void>;
  /** Moves the candidate into place and makes the running state follow it. */
  commit(session: DeviceSession, ctx: ApplyContext, staged: Staged): Promise<void>;
  /** One pass of the health checks (the executor polls until they pass or time runs out). */
  health(session: DeviceSession, ctx: ApplyContext, expect: HealthExpectations): Promise<HealthReport>;
  /**
   * Restarts the revert timer so that it fires timeoutS from now: the executor calls it on every
   * device once the last commit of the wave is done, so the confirm timeout counts from there.
   */
  rearm(session: DeviceSession, ctx: ApplyContext, timeoutS: number): Promise<void>;
  /**
   * The staged candidate will never be committed (another device of the wave failed first):
   * remove it from the device, since it may hold secrets. Nothing running is touched.
   */
  abandon(session: DeviceSession, ctx: ApplyContext): Promise<void>;
  /** Disarms the revert timer: the change stays. */
  confirm(session: DeviceSession, ctx: ApplyContext): Promise<void>;
  /** Restores the snapshot now (files byte-identical, running state following them) and disarms. */
  rollback(session: DeviceSession, ctx: ApplyContext, staged: Staged): Promise<void>;
}
