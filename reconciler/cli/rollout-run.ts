// Runs a rollout for a command (apply, rollback) and prints what happened: the progress lines on
// stderr, SIGINT/SIGTERM handling, the outcome per device and the halt, as text or JSON. The
// rollout itself is rollout/engine.ts.
import type { ApplyDriver } from "../drivers/apply-contract.ts";
import type { Plan } from "../model/plan.ts";
import { formatOutcome } from "../report/apply-text.ts";
import { createWaveProgress } from "../report/progress.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { type RolloutInput, type RolloutPolicy, type RolloutResult, runRollout } from "../rollout/engine.ts";
import { OrderError } from "../rollout/waves.ts";
import type { StateStore } from "../state/store.ts";
import type { Transport } from "../transport/session.ts";
import { CliError, EXIT } from "./exit-codes.ts";

/** Seconds given as a flag: a whole number, or the default. */
export function seconds(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,5}$/.test(value))
    throw new CliError(`${what} must be a whole number of seconds`, EXIT.usage);
  return Number(value);
}

export interface RunTimings {
  confirmTimeoutS: number;
  healthTimeoutS: number;
  parallel: number;
}

/** --confirm-timeout, --health-timeout and --parallel, checked before anything is read. */
export function runTimings(opts: {
  confirmTimeout?: string;
  healthTimeout?: string;
  parallel?: string;
}): RunTimings {
  const confirmTimeoutS = seconds(opts.confirmTimeout, 180, "--confirm-timeout");
  const healthTimeoutS = seconds(opts.healthTimeout, 90, "--health-timeout");
  if (healthTimeoutS + 30 > confirmTimeoutS)
    throw new CliError(
      "--confirm-timeout must leave at least 30 s after --health-timeout for the confirm",
      EXIT.usage,
    );
  const parallel = Number(opts.parallel ?? "16");
  if (!/^[0-9]{1,4}$/.test(opts.parallel ?? "16") || parallel < 1)
    throw new CliError("--parallel must be a whole number of devices, at least 1", EXIT.usage);
  return { confirmTimeoutS, healthTimeoutS, parallel };
}

/** What every rollout of a command shares: where it runs, with what, and how it reports. */
export interface RolloutContext extends RunTimings {
  runId: string;
  transport: Transport;
  applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>>;
  store: StateStore;
  env: Readonly<Record<string, string | undefined>>;
  signals: NodeJS.EventEmitter;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  color: boolean;
  json: boolean;
}

export interface CliRollout extends RolloutContext {
  input: RolloutInput;
  policy: RolloutPolicy;
  allowLockout?: boolean;
  soakS: number;
  /** Added to the JSON output. */
  extra?: Record<string, unknown>;
}

export interface CliRolloutResult {
  /** Undefined when the order itself was refused (nothing touched). */
  result?: RolloutResult;
  code: number;
}

export async function runRolloutForCli(r: CliRollout): Promise<CliRolloutResult> {
  const { out, err, confirmTimeoutS, runId } = r;
  const count = r.input.targets.length;
  // One updating line per wave on a terminal, one line per step in a log (report/progress.ts).
  const progress = createWaveProgress(err, {
    announce: (of) =>
      `run ${runId}: applying ${count} device(s) ${of === 1 ? "as one wave" : `in ${of} waves`}; each reverts by itself unless confirmed within ${confirmTimeoutS} s of the last commit${of === 1 ? "" : " of its wave"}`,
  });
  // SIGINT/SIGTERM: stop at the next safe point and roll back what was committed (a commit in
  // flight finishes first); later waves are not started. A second signal leaves at once:
  // committed devices then revert by themselves when their timers run out.
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (name: string) => {
    interrupts++;
    if (interrupts === 1) {
      progress.note(
        `${name}: stopping; devices already committed are rolled back (${name} again to leave now: they then revert by themselves within ${confirmTimeoutS} s)`,
      );
      abort.abort();
    } else process.exit(EXIT.interrupted);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  r.signals.on("SIGINT", onInt);
  r.signals.on("SIGTERM", onTerm);
  let result: RolloutResult;
  try {
    result = await runRollout(r.input, {
      policy: r.policy,
      ...(r.allowLockout ? { allowLockout: true } : {}),
      runId,
      transport: r.transport,
      drivers: r.applyDrivers,
      store: r.store,
      env: r.env,
      confirmTimeoutS,
      healthTimeoutS: r.healthTimeoutS,
      soakS: r.soakS,
      parallel: r.parallel,
      signal: abort.signal,
      onWave: (index, wave, of) => progress.wave(index, of, wave.devices, wave.canary === true),
      onSoak: (s) => progress.soak(s),
      onStep: (device, step, ok, detail) => progress.step(device, step, ok, detail),
    });
  } catch (e) {
    if (e instanceof OrderError) {
      if (r.json)
        out.write(
          `${JSON.stringify({ runId, ...r.extra, plan: r.input.plan, outcomes: [], refusedOrder: e.message }, null, 2)}\n`,
        );
      else out.write(`refusing to apply: ${safeMessage(e.message, "  ")}\nNothing was changed.\n`);
      return { code: EXIT.error };
    }
    throw e;
  } finally {
    progress.finish();
    r.signals.off("SIGINT", onInt);
    r.signals.off("SIGTERM", onTerm);
  }
  printResult(r, result, r.input.plan);
  if (abort.signal.aborted) return { result, code: EXIT.interrupted };
  const allConfirmed = result.outcomes.every((o) => o.result === "confirmed");
  return {
    result,
    code: allConfirmed && !result.refused && result.notReached.length === 0 ? EXIT.ok : EXIT.error,
  };
}

function printResult(r: CliRollout, res: RolloutResult, plan: Plan): void {
  const { out } = r;
  if (r.json) {
    const { waves, outcomes, notReached, halted, refused } = res;
    out.write(
      `${JSON.stringify({ runId: r.runId, ...r.extra, plan, waves, outcomes, notReached, ...(halted ? { halted } : {}), ...(refused ? { refused } : {}) }, null, 2)}\n`,
    );
    return;
  }
  if (res.refused) {
    out.write(
      `refusing to apply: the plan would cut the path to a device; nothing was changed\n${res.refused.map((f) => `  ${safeLine(f.device)}: ${safeLine(f.change)} (path ${safeLine(f.path)}): ${safeMessage(f.message, "    ")}`).join("\n")}\n`,
    );
    return;
  }
  if (res.outcomes.length > 0)
    out.write(`${res.outcomes.map((o) => formatOutcome(o, r.color)).join("\n")}\n`);
  if (res.halted) {
    const why =
      res.halted.reason === "interrupted"
        ? "the run was interrupted"
        : `wave ${res.halted.wave + 1} failed (${res.halted.failed.map(safeLine).join(", ")})`;
    out.write(
      res.notReached.length > 0
        ? `halted: ${why}; not reached, left untouched: ${res.notReached.map(safeLine).join(", ")}\n`
        : `halted: ${why}\n`,
    );
  }
}

/** The context of a command's rollout, from its dependencies and what it opened. */
export function rolloutContext(
  deps: {
    applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>>;
    env: Readonly<Record<string, string | undefined>>;
    signals?: NodeJS.EventEmitter;
  },
  run: {
    runId: string;
    transport: Transport;
    store: StateStore;
    timings: RunTimings;
    out: NodeJS.WritableStream;
    err: NodeJS.WritableStream;
    color: boolean;
    json: boolean;
  },
): RolloutContext {
  const { timings, ...rest } = run;
  return {
    ...rest,
    ...timings,
    applyDrivers: deps.applyDrivers,
    env: deps.env,
    signals: deps.signals ?? process,
  };
}
