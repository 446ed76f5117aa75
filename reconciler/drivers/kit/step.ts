// One step of the apply protocol on a POSIX-like device: one script, one round trip, its result
// named by the step, and the errors a step raises (device output redacted with the run's secrets).
import { CommandError, type DeviceErrorDetails, redact } from "../../model/errors.ts";
import type { PosixSession } from "../../transport/session.ts";
import type { ApplyContext, Staged } from "../apply-contract.ts";

export interface StepResult {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** stdout, then stderr: what an error shows. */
  all: string;
}

export async function runStep(
  session: PosixSession,
  step: string,
  script: string,
  timeoutMs?: number,
): Promise<StepResult> {
  const r = await session.sh(script, {
    allowFailure: true,
    name: step,
    // The long steps (stage's validators, commit's reloads) may be silent for as long as they run.
    ...(timeoutMs !== undefined ? { timeoutMs, idleTimeoutMs: timeoutMs } : {}),
  });
  return { ...r, command: step, all: `${r.stdout}${r.stderr ? `\n${r.stderr}` : ""}` };
}

/** An error's details, the device's output redacted with the staged candidate's secrets when there is one. */
export function details(
  ctx: ApplyContext,
  command: string,
  output: string,
  staged?: Pick<Staged, "secrets">,
): DeviceErrorDetails {
  return { device: ctx.device.name, command, output: redact(output, staged?.secrets ?? []) };
}

/** A step that printed what it never should: its status and output, for the operator. */
export function unexpected(
  ctx: ApplyContext,
  step: string,
  r: { exitCode: number; all: string },
): CommandError {
  return new CommandError(
    `${step} failed (status ${r.exitCode}): ${r.all.trim().slice(0, 2000)}`,
    details(ctx, step, r.all),
    r.exitCode,
  );
}
