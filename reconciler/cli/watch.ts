// `reconciler watch`: runs the GitOps loop (watch/loop.ts) against the repository's remote. Each
// new revision is rolled out through `apply --revision` (so the run lock, the freeze, the lockout
// analysis and the state store hold exactly as for an operator's run); between commits the last
// revision is planned again every interval. One log line per event on stdout; what apply prints
// goes to the state store's journal and run records, not to the log.
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { fetchBranch, remoteHead } from "../git/remote.ts";
import { connectGitHub, githubFromEnv } from "../github/client.ts";
import { setCommitStatus } from "../github/statuses.ts";
import { summarizeError } from "../model/errors.ts";
import { selectDevices } from "../model/select.ts";
import type { RunRecord } from "../state/runs.ts";
import { formatEvent, type LogFormat, type WatchEvent } from "../watch/log.ts";
import { type RolloutAttempt, watchLoop } from "../watch/loop.ts";
import { startWebhook } from "../watch/webhook.ts";
import { type ApplyDeps, applyCommand } from "./apply.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { loadFromOptions, loadSelected } from "./open-repo.ts";
import { planFleet } from "./plan.ts";
import { seconds } from "./rollout-run.ts";

export interface WatchCommandOptions {
  repo?: string;
  remote?: string;
  branch?: string;
  interval?: string;
  limit?: string;
  repair?: boolean;
  logFormat?: string;
  once?: boolean;
  webhookPort?: string;
  webhookSecretEnv?: string;
  confirmTimeout?: string;
  healthTimeout?: string;
}

export interface WatchDepsCli extends ApplyDeps {
  /** Commit statuses, when configured (GitHub). */
  status?: (
    revision: string,
    state: "pending" | "success" | "failure" | "error",
    description: string,
  ) => Promise<void>;
}

/** Swallows what a command prints: the loop logs its own events. */
const sink = () =>
  new Writable({
    write(_c, _e, done) {
      done();
    },
  });

export async function watchCommand(
  opts: WatchCommandOptions,
  deps: WatchDepsCli,
  out: NodeJS.WritableStream,
): Promise<number> {
  const format: LogFormat = opts.logFormat === "json" ? "json" : "text";
  if (opts.logFormat !== undefined && opts.logFormat !== "json" && opts.logFormat !== "text")
    throw new CliError("--log-format is text or json", EXIT.usage);
  const intervalS = seconds(opts.interval, 60, "--interval");
  if (intervalS < 1) throw new CliError("--interval must be at least 1 second", EXIT.usage);
  const remote = opts.remote ?? "origin";
  const branch = opts.branch ?? "main";
  const root = opts.repo ?? process.cwd();
  const log = (e: WatchEvent) => out.write(formatEvent(e, format, new Date()));
  // Commit statuses when a GitHub token is configured; without one the loop works as well.
  const github = githubFromEnv({ ...deps.env });
  const gh = "target" in github ? connectGitHub(github.target) : undefined;
  const status =
    deps.status ??
    (gh
      ? async (revision: string, state: "pending" | "success" | "failure" | "error", description: string) =>
          void (await setCommitStatus(gh, revision, { state, description, context: "reconciler/watch" }))
      : undefined);

  // Stop: the loop ends after its current step; a rollout in progress gets the signal too and
  // stops at its next safe point (rolling back what it committed), as apply does.
  const signals = deps.signals ?? process;
  const forward = new EventEmitter();
  let stopped = false;
  let wake: (() => void) | undefined;
  const onSignal = (name: string) => {
    if (!stopped) log({ event: "stopping", signal: name });
    stopped = true;
    forward.emit(name);
    wake?.();
  };
  const onTerm = () => onSignal("SIGTERM");
  const onInt = () => onSignal("SIGINT");
  signals.on("SIGTERM", onTerm);
  signals.on("SIGINT", onInt);

  let server: Awaited<ReturnType<typeof startWebhook>> | undefined;
  if (opts.webhookPort !== undefined) {
    const secretEnv = opts.webhookSecretEnv ?? "RECONCILER_WEBHOOK_SECRET";
    const secret = deps.env[secretEnv];
    if (!secret) throw new CliError(`--webhook-port needs the shared secret in $${secretEnv}`, EXIT.usage);
    server = await startWebhook({
      port: Number(opts.webhookPort),
      secret,
      onPush: (b) => {
        if (b && b !== branch) return;
        log({ event: "webhook-push", branch: b });
        wake?.();
      },
      onReject: (why) => log({ event: "webhook-rejected", why }),
    });
  }

  /** The devices to roll out at a revision: its inventory, --limit, minus those backing off. */
  const namesAt = async (revision: string, exclude: readonly string[]) => {
    const loaded = await loadFromOptions({ repo: root, revision });
    if (!loaded.repo)
      throw new Error(
        `revision ${revision.slice(0, 12)} does not load: run reconciler validate --revision ${revision.slice(0, 12)}`,
      );
    return selectDevices(Object.values(loaded.repo.devices), opts.limit)
      .map((d) => d.name)
      .filter((n) => !exclude.includes(n));
  };

  try {
    await watchLoop(
      {
        intervalMs: intervalS * 1000,
        ...(opts.repair ? { repair: true } : {}),
        ...(opts.once ? { maxLoops: 1 } : {}),
        stopped: () => stopped,
      },
      {
        head: () => remoteHead(root, remote, branch),
        fetch: () => fetchBranch(root, remote, branch),
        async rollout(revision, exclude): Promise<RolloutAttempt> {
          const names = await namesAt(revision, exclude);
          if (names.length === 0) return { code: EXIT.ok };
          let record: RunRecord | undefined;
          try {
            const code = await applyCommand(
              undefined,
              {
                repo: root,
                revision,
                yes: true,
                limit: names.join(","),
                ...(opts.confirmTimeout ? { confirmTimeout: opts.confirmTimeout } : {}),
                ...(opts.healthTimeout ? { healthTimeout: opts.healthTimeout } : {}),
              },
              { ...deps, interactive: false, signals: forward, err: sink(), onRecord: (r) => (record = r) },
              sink(),
              false,
            );
            return { code, ...(record ? { record } : {}) };
          } catch (e) {
            if (e instanceof CliError)
              return { code: e.exitCode, refused: e.message.replace(/^refusing to apply: /, "") };
            throw e;
          }
        },
        async drift(revision, exclude) {
          const names = await namesAt(revision, exclude);
          if (names.length === 0) return { drifted: [], unreachable: [] };
          const selected = await loadSelected(
            { repo: root, revision, limit: names.join(",") },
            sink(),
            false,
          );
          if (!selected) throw new Error(`revision ${revision.slice(0, 12)} does not load`);
          const plan = await planFleet(selected, deps);
          return {
            drifted: plan.devices.filter((d) => d.status === "changes").map((d) => d.device),
            unreachable: plan.devices.filter((d) => d.status === "error").map((d) => d.device),
          };
        },
        ...(status ? { status } : {}),
        log,
        sleep: (ms) =>
          new Promise<void>((resolve) => {
            if (stopped) return resolve();
            const t = setTimeout(done, ms);
            function done() {
              clearTimeout(t);
              wake = undefined;
              resolve();
            }
            wake = done;
          }),
        now: Date.now,
        random: Math.random,
      },
    );
  } catch (e) {
    log({ event: "fatal", error: summarizeError(e).message });
    return EXIT.error;
  } finally {
    signals.off("SIGTERM", onTerm);
    signals.off("SIGINT", onInt);
    if (server) await new Promise<void>((r) => server?.close(() => r()));
  }
  return EXIT.ok;
}
