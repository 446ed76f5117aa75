// Runs the hooks of one phase (discover.ts), one after the other, each with:
//   - no shell: the file is executed directly (its shebang picks the interpreter), in the
//     repository's root directory, with the phase's JSON document on standard input;
//   - a minimal environment: PATH, HOME and LANG of the reconciler, the RECONCILER_HOOK_*
//     variables of the reconciler's environment (the operator's settings for hooks), what the
//     caller passes in `env`, and RECONCILER_PHASE, RECONCILER_RUN_ID, RECONCILER_COMMAND,
//     RECONCILER_REPO, RECONCILER_REVISION (when known), RECONCILER_DEVICE (post-device). Never
//     the rest of the reconciler's environment: it holds the SSH key and the devices' secrets;
//   - a timeout (default 60 s per hook): the hook's whole process group gets SIGTERM, then
//     SIGKILL after a grace period. When a hook exits, what it left running in its group is
//     killed too: a hook must not outlive its phase;
//   - its output (stdout and stderr, in the order they arrived) kept up to a cap, the rest
//     counted, and redacted (the run's secrets, the usual secret patterns, and the values of
//     the hook's variables named *_URL, *_TOKEN, *_SECRET, *_PASSWORD, *_KEY);
//   - one journal entry: step `hook:<phase>:<name>`, ok, detail = the (bounded) output.
// At an aborting phase (phases.ts) the first hook that fails stops the others: the run aborts.
// At the others every hook runs, and a failure is reported, never changing the run's outcome.
import { spawn } from "node:child_process";
import { redact } from "../model/errors.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { CappedOutput } from "../transport/capped-output.ts";
import { discoverHooks, type HookFile, type SkippedHook } from "./discover.ts";
import { type HookDocuments, type HookPhase, phaseAborts } from "./phases.ts";

export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;
/** Bytes of output kept per hook; the rest is counted. */
export const DEFAULT_HOOK_OUTPUT_LIMIT = 64 * 1024;
/** Between SIGTERM and SIGKILL, after a timeout. */
export const DEFAULT_HOOK_KILL_GRACE_MS = 2_000;
/** The journal's device for hooks that are not about one device. */
export const RUN_JOURNAL_DEVICE = "-";

/** A line of the state store's journal, without its time (StateStore.journal takes it as is). */
export interface HookJournalEntry {
  runId: string;
  device: string;
  step: string;
  ok: boolean;
  detail?: string;
}

export interface RunHooksOptions {
  /** The repository being applied: hooks are looked up in <repoRoot>/hooks, and run from here. */
  repoRoot: string;
  /** Added to the hook's environment (on top of the minimal set). */
  env?: Record<string, string | undefined>;
  /** Per hook. Default 60 s. */
  timeoutMs?: number;
  /** Called once per hook run (and once when the phase's hooks are refused); its errors are warnings. */
  journal?: (entry: HookJournalEntry) => Promise<void>;
  /** Bytes of output kept per hook. Default 64 KiB. */
  outputLimit?: number;
  /** After a timeout, SIGTERM to the process group, then SIGKILL after this. Default 2 s. */
  killGraceMs?: number;
  /** Where PATH, HOME, LANG and RECONCILER_HOOK_* come from. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Aborting it kills the running hook's group and runs no further hook. */
  signal?: AbortSignal;
}

export interface HookResult {
  /** Relative to the repository: hooks/pre-apply.d/10-window. */
  hook: string;
  /** The journal's name: hook:<phase>:<name>. */
  name: string;
  ok: boolean;
  exitCode: number | null;
  signal?: string;
  timedOut: boolean;
  /** stdout and stderr interleaved, bounded and redacted. */
  output: string;
  ms: number;
  /** Why it could not be started (EACCES, a missing interpreter), when it could not. */
  error?: string;
}

export interface RunHooksResult {
  phase: HookPhase;
  /** True when every hook that ran succeeded (and none was refused). */
  ok: boolean;
  /** True when the run must stop: a failure at an aborting phase. */
  aborted: boolean;
  /** Why ok is false: which hook failed and how (its last line of output). */
  reason?: string;
  results: HookResult[];
  /** Files that look like hooks and did not run (not executable, ...): report them. */
  skipped: SkippedHook[];
  /** Journal writes that failed. */
  warnings: string[];
}

const SECRET_NAME = /(URL|TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIALS?|AUTH)$/i;

/** The hook's environment: nothing of the parent's but what is listed at the top. */
export function hookEnvironment<P extends HookPhase>(
  phase: P,
  document: HookDocuments[P],
  opts: Pick<RunHooksOptions, "env" | "baseEnv">,
): Record<string, string> {
  const base = opts.baseEnv ?? process.env;
  const env: Record<string, string> = {};
  env.PATH = base.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const k of ["HOME", "LANG"]) {
    const v = base[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(base))
    if (k.startsWith("RECONCILER_HOOK_") && v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
  env.RECONCILER_PHASE = phase;
  env.RECONCILER_RUN_ID = document.runId;
  env.RECONCILER_COMMAND = document.command;
  env.RECONCILER_REPO = document.repository.path;
  if (document.repository.revision) env.RECONCILER_REVISION = document.repository.revision;
  else delete env.RECONCILER_REVISION;
  if ("device" in document && typeof document.device === "string") env.RECONCILER_DEVICE = document.device;
  else delete env.RECONCILER_DEVICE;
  return env;
}

/** Runs the hooks of `phase` with `document` on their standard input. Never throws for a hook's failure. */
export async function runHooks<P extends HookPhase>(
  phase: P,
  document: HookDocuments[P],
  opts: RunHooksOptions,
): Promise<RunHooksResult> {
  const aborts = phaseAborts(phase);
  const out: RunHooksResult = { phase, ok: true, aborted: false, results: [], skipped: [], warnings: [] };
  const device =
    "device" in document && typeof document.device === "string" ? document.device : RUN_JOURNAL_DEVICE;
  const journal = async (entry: Omit<HookJournalEntry, "runId" | "device">) => {
    if (!opts.journal) return;
    try {
      await opts.journal({ runId: document.runId, device, ...entry });
    } catch (err) {
      out.warnings.push(`the journal could not be written: ${(err as Error).message ?? String(err)}`);
    }
  };

  let hooks: HookFile[];
  try {
    const found = await discoverHooks(phase, opts.repoRoot);
    hooks = found.hooks;
    out.skipped = found.skipped;
  } catch (err) {
    const message = redactRunSecrets((err as Error).message ?? String(err));
    out.ok = false;
    out.aborted = aborts;
    out.reason = `${phase} hooks refused: ${message}`;
    await journal({ step: `hook:${phase}`, ok: false, detail: message });
    return out;
  }

  const env = hookEnvironment(phase, document, opts);
  const envSecrets = Object.entries(env)
    .filter(([k, v]) => SECRET_NAME.test(k) && v.length >= 4)
    .map(([, v]) => v);
  const input = `${redactRunSecrets(JSON.stringify(document))}\n`;

  for (const hook of hooks) {
    if (opts.signal?.aborted) {
      out.ok = false;
      out.aborted = aborts;
      out.reason ??= `${phase} hooks interrupted before ${hook.path}`;
      break;
    }
    const result = await runOne(hook, phase, input, env, envSecrets, opts);
    out.results.push(result);
    await journal({ step: result.name, ok: result.ok, detail: result.output || undefined });
    if (!result.ok) {
      out.ok = false;
      out.reason ??= `${phase} hook ${hook.path} ${describeFailure(result)}`;
      if (aborts) {
        out.aborted = true;
        break;
      }
    }
  }
  return out;
}

/** "failed (exit 1): outside the change window", "timed out after 60 s", ... */
export function describeFailure(r: HookResult): string {
  const how = r.error
    ? `could not be started: ${r.error}`
    : r.timedOut
      ? `timed out after ${Math.round(r.ms / 1000)} s`
      : r.signal
        ? `was killed by ${r.signal}`
        : `failed (exit ${r.exitCode})`;
  const last = r.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("… ("))
    .at(-1);
  return last ? `${how}: ${last}` : how;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function runOne(
  hook: HookFile,
  phase: HookPhase,
  input: string,
  env: Record<string, string>,
  envSecrets: readonly string[],
  opts: RunHooksOptions,
): Promise<HookResult> {
  const limit = opts.outputLimit ?? DEFAULT_HOOK_OUTPUT_LIMIT;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const grace = opts.killGraceMs ?? DEFAULT_HOOK_KILL_GRACE_MS;
  // A little more than the cap is kept, so that a secret cut by the cap is still recognised
  // (and redacted) before the text is cut back to the cap.
  const slack = 4096;
  const buf = new CappedOutput(limit + slack);
  let total = 0;
  const started = Date.now();

  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: string | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    let settled = false;

    const child = spawn(hook.absolutePath, [], {
      cwd: opts.repoRoot,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true, // its own process group: a timeout kills the hook and all it started
      shell: false,
    });
    const pid = child.pid;

    const onData = (chunk: Buffer) => {
      total += chunk.length;
      buf.push(chunk);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.stdin?.on("error", () => {
      // EPIPE: the hook did not read its input; that is its business.
    });
    child.stdin?.end(input);

    const onAbort = () => {
      killGroup(pid, "SIGTERM");
      timers.push(setTimeout(() => killGroup(pid, "SIGKILL"), grace));
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const output = boundedOutput(buf.bytes(), total, limit, envSecrets);
      const exitCode = exit?.code ?? null;
      const signal = exit?.signal ?? undefined;
      const result: HookResult = {
        hook: hook.path,
        name: `hook:${phase}:${hook.name}`,
        ok: !spawnError && !timedOut && exitCode === 0,
        exitCode,
        timedOut,
        output,
        ms: Date.now() - started,
      };
      if (signal) result.signal = signal;
      if (spawnError) result.error = spawnError;
      resolve(result);
    };

    timers.push(
      setTimeout(() => {
        if (exit) return;
        timedOut = true;
        killGroup(pid, "SIGTERM");
        timers.push(setTimeout(() => killGroup(pid, "SIGKILL"), grace));
      }, timeoutMs),
    );

    child.on("error", (err) => {
      spawnError = redactRunSecrets(err.message);
      finish();
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // Whatever the hook left behind in its group goes with it (and closes our pipes).
      killGroup(pid, "SIGKILL");
      // A descendant that left the group (setsid) may still hold a pipe: wait a moment, not forever.
      timers.push(setTimeout(finish, 1_000));
    });
    child.on("close", finish);
  });
}

function boundedOutput(bytes: Buffer, total: number, limit: number, envSecrets: readonly string[]): string {
  let text = redactRunSecrets(redact(bytes.toString("utf8"), envSecrets));
  if (total > limit) {
    const cut = Buffer.from(text, "utf8").subarray(0, limit).toString("utf8");
    text = `${cut}\n… (${total - limit} more bytes of output not kept)`;
  }
  return text.replace(/\s+$/, "");
}
