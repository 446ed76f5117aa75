// A DeviceSession over one SSH connection: each command is one exec channel on it. Commands are
// shell-quoted, scripts go on stdin to `sh -s`, both wrapped in `sudo -n` when the inventory says
// so; every command is bounded by a timeout, and its failures become CommandErrors with the
// output's tail, secrets redacted.
import type { EventEmitter } from "node:events";
import {
  CommandError,
  ConnectionError,
  type DeviceError,
  type DeviceErrorDetails,
  OutputTooLargeError,
  redact,
} from "../model/errors.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import { CappedOutput } from "./capped-output.ts";
import { shJoin } from "./quote.ts";
import type { CommandResult, DeviceSession, RunOptions, ScriptOptions } from "./session.ts";

/** What a session needs of an exec channel (ssh2's ClientChannel has all of it). */
export interface ExecChannel extends EventEmitter {
  stderr: EventEmitter;
  end(data?: string): unknown;
  close(): unknown;
  signal(name: string): unknown;
}

/** What a session needs of a connection. */
export interface Link {
  /** Opens an exec channel running `command`; rejects with a ConnectionError. */
  open(command: string): Promise<ExecChannel>;
  /** Calls `cb` once when the connection is lost (at once if it already is); returns an unsubscribe. */
  onLost(cb: (err: DeviceError) => void): () => void;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Per-command timeout when RunOptions.timeoutMs is not given. */
  commandTimeoutMs: number;
  /** Values to redact from results and errors (the device's password). */
  secrets: readonly string[];
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
/**
 * How long a command may print nothing. Tighter than the total only for commands given a longer
 * total (commit, rollback): a command silent this long is taken as hung.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** stdout kept per command unless RunOptions.maxOutputBytes says otherwise (a full config fits). */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** stderr kept per command: it carries messages, not data (never more than the stdout cap). */
export const MAX_STDERR_BYTES = 1024 * 1024;
/** How much of stderr and of stdout a CommandError keeps (the end, where errors are). */
const OUTPUT_TAIL = 4000;
/** The longest form of a command line an error carries. */
const COMMAND_IN_ERRORS = 200;

interface RawResult {
  command: string;
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

const oneLine = (s: string, n = 160) => {
  const flat = s.replace(/\s*\n\s*/g, " ⏎ ").trim();
  return flat.length > n ? `${flat.slice(0, n)}…` : flat;
};

/** A device error's message without the "<device>: " prefix DeviceError adds. */
export const bare = (err: DeviceError) =>
  err.message.startsWith(`${err.device}: `) ? err.message.slice(err.device.length + 2) : err.message;

export class SshSession implements DeviceSession {
  readonly device: string;

  constructor(
    readonly resolved: ResolvedDevice,
    private readonly link: Link,
    private readonly options: SessionOptions,
  ) {
    this.device = resolved.name;
  }

  /** The command line sent for argv: every element quoted, `sudo -n` first when configured. */
  commandLine(argv: readonly string[]): string {
    if (argv.length === 0) throw new Error("run() needs a command");
    return `${this.resolved.sudo ? "sudo -n " : ""}${shJoin(argv)}`;
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return text(await this.exec(this.commandLine(argv), opts));
  }

  /**
   * The script goes on stdin to `sh -s`: the login shell sees only `sh -s` (a non-POSIX login
   * shell, OPNsense's csh, cannot mangle it), and nothing of it is in the process list. It is
   * wrapped in a brace group reading /dev/null, so sh parses it whole before running any of it (a
   * script cut short by a lost connection runs nothing) and no command in it can read, and so
   * swallow, the rest of the script.
   */
  async sh(script: string, opts: ScriptOptions = {}): Promise<CommandResult> {
    const line = `${this.resolved.sudo ? "sudo -n " : ""}sh -s`;
    const stdin = `{\n${script}${script.endsWith("\n") ? "" : "\n"}} </dev/null\n`;
    const r = text(await this.exec(line, { ...opts, stdin }, `${line}: ${script}`));
    // The result names the script by its short form too: a whole script (with whatever it
    // uploads) has no place in what callers may log.
    return { ...r, command: oneLine(r.command, COMMAND_IN_ERRORS) };
  }

  /**
   * Sends a command line as is, without quoting or sudo: for device CLIs that are not POSIX shells
   * (RouterOS), whose driver quotes values in that CLI's own syntax.
   */
  async line(commandLine: string, opts: RunOptions = {}): Promise<CommandResult> {
    return text(await this.exec(commandLine, opts));
  }

  /** Calls `cb` once if this session's connection is lost; returns an unsubscribe. */
  onConnectionLost(cb: (err: DeviceError) => void): () => void {
    return this.link.onLost(cb);
  }

  /** Closes this session's connection (the pool's shared one too: use on fresh sessions). */
  close(): Promise<void> {
    return this.link.close();
  }

  private redact(text: string): string {
    return redact(text, this.options.secrets);
  }

  /**
   * Runs one command line. Errors name the step (`opts.name`) or, without one, a short one-line
   * form of the command; `command` in their details is that short form too, never a whole script.
   * `shown` is what errors and results call the command when the line alone says too little (a
   * script's `sh -s`).
   */
  private exec(commandLine: string, opts: RunOptions, shown = commandLine): Promise<RawResult> {
    const command = this.redact(shown);
    const short = oneLine(command, COMMAND_IN_ERRORS);
    const label = opts.name ?? `\`${oneLine(command)}\``;
    const timeoutMs = opts.timeoutMs ?? this.options.commandTimeoutMs;
    const idleMs = Math.min(opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, timeoutMs);
    const maxOut = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const device = this.device;
    return new Promise<RawResult>((resolve, reject) => {
      const out = new CappedOutput(maxOut);
      const err = new CappedOutput(Math.min(maxOut, MAX_STDERR_BYTES));
      let exit: { code: number | null; signal: string | null } | undefined;
      let done = false;
      let channel: ExecChannel | undefined;
      let lastActivity = Date.now();
      let idleTimer: NodeJS.Timeout | undefined;
      const output = () =>
        this.redact([err.tail(OUTPUT_TAIL), out.tail(OUTPUT_TAIL)].filter((t) => t !== "").join("\n"));
      const details = (extra: Partial<DeviceErrorDetails> = {}): DeviceErrorDetails => ({
        device,
        command: short,
        output: output(),
        ...extra,
      });
      let unsubscribe = () => {};
      const finish = (result: RawResult | Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(idleTimer);
        unsubscribe();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      /** Ends the remote command: we will not read more of it. */
      const kill = () => {
        if (!channel) return;
        try {
          channel.signal("KILL");
        } catch {}
        try {
          channel.close();
        } catch {}
      };
      const timer = setTimeout(() => {
        kill();
        finish(
          new CommandError(
            `${label} did not finish within ${timeoutMs / 1000} s; its channel was closed`,
            details(),
            null,
          ),
        );
      }, timeoutMs);
      const checkIdle = () => {
        const quiet = Date.now() - lastActivity;
        if (quiet < idleMs) {
          idleTimer = setTimeout(checkIdle, idleMs - quiet);
          return;
        }
        kill();
        finish(
          new CommandError(
            `${label} printed nothing for ${idleMs / 1000} s; its channel was closed`,
            details(),
            null,
          ),
        );
      };
      const received = (stream: CappedOutput, name: string) => (b: Buffer) => {
        lastActivity = Date.now();
        if (stream.push(b) || done) return;
        kill();
        finish(
          new OutputTooLargeError(
            `${label} printed more than ${stream.limit} bytes on ${name}; its channel was closed`,
            details(),
            stream.limit,
          ),
        );
      };
      unsubscribe = this.link.onLost((lost) =>
        finish(
          new ConnectionError(
            `connection lost while running ${label}: ${bare(lost)}`,
            details({ cause: lost }),
          ),
        ),
      );
      this.link.open(commandLine).then(
        (ch) => {
          channel = ch;
          if (done) {
            // Timed out or lost while the channel was opening.
            try {
              ch.close();
            } catch {}
            return;
          }
          lastActivity = Date.now();
          idleTimer = setTimeout(checkIdle, idleMs);
          ch.on("data", received(out, "stdout"));
          ch.stderr.on("data", received(err, "stderr"));
          ch.on("exit", (code: number | null, signal?: string) => {
            exit = { code: typeof code === "number" ? code : null, signal: signal ?? null };
          });
          ch.on("error", (e: Error) =>
            finish(new ConnectionError(`channel error running ${label}: ${e.message}`, details())),
          );
          // ssh2 passes the exit status to 'close' as well. Rely on that: the 'exit' event may
          // fire before these listeners exist (the exec callback runs in the middle of parsing a
          // TCP chunk that can also hold the exit status; this code runs a microtask later).
          ch.on("close", (code?: number | null, signal?: string) => {
            if (done) return;
            if (exit === undefined && (typeof code === "number" || typeof signal === "string")) {
              exit = { code: typeof code === "number" ? code : null, signal: signal ?? null };
            }
            if (exit?.code === undefined || exit.code === null) {
              finish(
                exit?.signal
                  ? new CommandError(`${label} was killed by signal ${exit.signal}`, details(), null)
                  : new ConnectionError(
                      `${label} ended without an exit status (connection lost?)`,
                      details(),
                    ),
              );
              return;
            }
            const stderr = err.bytes();
            if (exit.code !== 0 && !opts.allowFailure) {
              const last = oneLine(this.redact(err.tail(OUTPUT_TAIL)).trim().split("\n").at(-1) ?? "");
              finish(
                new CommandError(
                  `${label} exited with status ${exit.code}${last ? `: ${last}` : ""}`,
                  details(),
                  exit.code,
                ),
              );
              return;
            }
            finish({ command, stdout: out.bytes(), stderr, exitCode: exit.code });
          });
          ch.end(opts.stdin);
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }
}

function text(r: RawResult): CommandResult {
  return {
    command: r.command,
    stdout: r.stdout.toString("utf8"),
    stderr: r.stderr.toString("utf8"),
    exitCode: r.exitCode,
  };
}
