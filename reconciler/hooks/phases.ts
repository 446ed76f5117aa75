// The phases at which operator hooks run (issue 10 §5), and the JSON document each hook receives
// on standard input. hooks/README.md describes the same documents for operators: keep the two
// together. Every document carries the common fields (HookDocumentBase); the phase adds its own.
import type { ErrorSummary } from "../model/errors.ts";
import type { Result } from "../model/outcome.ts";

export const HOOK_PHASES = [
  "pre-plan",
  "pre-apply",
  "post-device",
  "post-apply",
  "on-failure",
  "on-rollback",
  "on-drift",
] as const;

export type HookPhase = (typeof HOOK_PHASES)[number];

/**
 * Phases whose hooks can stop the run: the first hook that fails (non-zero exit, a signal, a
 * timeout, a hook that cannot be started) aborts it before any device is touched. At the other
 * phases a failing hook is reported (and journalled) and never changes the run's outcome.
 */
export const ABORTING_PHASES: readonly HookPhase[] = ["pre-plan", "pre-apply"];

export function isHookPhase(value: string): value is HookPhase {
  return (HOOK_PHASES as readonly string[]).includes(value);
}

export function phaseAborts(phase: HookPhase): boolean {
  return ABORTING_PHASES.includes(phase);
}

/** The command the run belongs to. */
export type HookCommand = "plan" | "apply" | "drift" | "rollback" | "keys";

/** What every document carries. */
export interface HookDocumentBase {
  phase: HookPhase;
  /** The run id (20261129T120000Z-3f9a1c); the hook's RECONCILER_RUN_ID. */
  runId: string;
  command: HookCommand;
  /** When the document was made (ISO 8601, UTC). */
  time: string;
  /** The repository being planned or applied; `revision` is the commit, when known. */
  repository: { path: string; revision?: string };
}

/** A device and how many semantic changes the plan has for it. */
export interface HookPlannedDevice {
  device: string;
  platform: string;
  /** Semantic changes planned (0: nothing to do). */
  changes: number;
  /** The device's labels from the inventory (site, role, ...). */
  labels?: Record<string, string>;
}

/** A device's outcome, as the apply report has it (a subset of model/outcome.ts). */
export interface HookDeviceOutcome {
  device: string;
  result: Result;
  failedStep?: string;
  error?: ErrorSummary;
  /** For "reverting": when the device restores its snapshot by itself. */
  revertsAt?: string;
}

/** Before any device is read: the devices selected. A failing hook aborts the run. */
export interface PrePlanDocument extends HookDocumentBase {
  phase: "pre-plan";
  selection: {
    /** The --limit expression, if any. */
    limit?: string;
    devices: string[];
  };
}

/**
 * After the plan, before any device is locked or changed. A failing hook aborts the run: every
 * device is left untouched.
 */
export interface PreApplyDocument extends HookDocumentBase {
  phase: "pre-apply";
  plan: {
    /** Every planned device, also those with nothing to do (changes: 0). */
    devices: HookPlannedDevice[];
    /** The rollout's waves (device names), in order, when known. */
    waves?: string[][];
  };
  /** The confirm timeout (seconds) the run will arm on each device. */
  confirmTimeoutS?: number;
}

/** After each device's apply (or rollback) ended; once per device with changes. */
export interface PostDeviceDocument extends HookDocumentBase {
  phase: "post-device";
  device: string;
  platform?: string;
  outcome: HookDeviceOutcome;
}

/** At the end of an apply, whatever happened. */
export interface PostApplyDocument extends HookDocumentBase {
  phase: "post-apply";
  /** True when every device with changes was confirmed. */
  ok: boolean;
  /** The process exit code the run will end with. */
  exitCode: number;
  outcomes: HookDeviceOutcome[];
  /** Counts per result (confirmed, rolled-back, ...), and the devices with nothing to do. */
  summary: Partial<Record<Result, number>> & { unchanged: number };
  /** Devices never reached (the rollout halted before their wave). */
  notReached?: string[];
  durationMs: number;
}

/** A run failed (an error, a failed device, a refused plan, a pre-* hook that aborted). */
export interface OnFailureDocument extends HookDocumentBase {
  phase: "on-failure";
  error: ErrorSummary;
  /** Where it failed: a phase of the run (plan, lockout, wave, hook:pre-apply, ...). */
  stage?: string;
  /** The devices that failed, when the failure is theirs. */
  outcomes?: HookDeviceOutcome[];
}

/** Devices were rolled back: a wave that failed its health gates, or `reconciler rollback`. */
export interface OnRollbackDocument extends HookDocumentBase {
  phase: "on-rollback";
  trigger: "wave-failed" | "interrupted" | "rollback-command";
  /** For `reconciler rollback`: the run it undoes. */
  undoes?: string;
  outcomes: HookDeviceOutcome[];
}

/** Drift was found: a plan or `drift` run that sees changes (the live state differs). */
export interface OnDriftDocument extends HookDocumentBase {
  phase: "on-drift";
  /** Only the devices that drifted (changes > 0). */
  devices: HookPlannedDevice[];
  /** Devices that could not be read (unreachable, refused), with the error. */
  errors?: { device: string; error: ErrorSummary }[];
}

export interface HookDocuments {
  "pre-plan": PrePlanDocument;
  "pre-apply": PreApplyDocument;
  "post-device": PostDeviceDocument;
  "post-apply": PostApplyDocument;
  "on-failure": OnFailureDocument;
  "on-rollback": OnRollbackDocument;
  "on-drift": OnDriftDocument;
}

export type HookDocument = HookDocuments[HookPhase];
