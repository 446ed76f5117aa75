// What an apply did to each device: a plain value the executor returns, reports print and the
// journal records.
import type { ErrorSummary } from "./errors.ts";

/** One health check: a probe judged against what the device showed. */
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

/**
 * confirmed: the new configuration, healthy. rolled-back: byte-identical to before, restored by us.
 * not-applied: never committed (the wave stopped earlier), untouched. reverting: committed and
 * out of reach: the device restores its snapshot by itself at `revertsAt`. failed: the device
 * failed before anything was committed. rollback-failed: the restore reported errors.
 */
export type Result = "confirmed" | "rolled-back" | "not-applied" | "reverting" | "failed" | "rollback-failed";

export interface DeviceOutcome {
  device: string;
  result: Result;
  /** Where it stopped, for a failure: connect, lock, keys, stage, arm, commit, health, rollback; "wave" when another device failed. */
  failedStep?: string;
  error?: ErrorSummary;
  health?: HealthReport;
  /** For "reverting": when the device restores its snapshot by itself (ISO time, from our clock). */
  revertsAt?: string;
  /** Problems that did not change the result (an unlock or a journal write that failed). */
  warnings?: string[];
}
