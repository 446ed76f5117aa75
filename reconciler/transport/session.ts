// The contract between drivers and the transport: drivers see a session typed by what their
// platform speaks, so the same driver runs over the ssh2 pool in production and over a scripted
// fake in unit tests. Two small interfaces rather than one with optional methods:
// - PosixSession: a POSIX shell (Debian, OPNsense's and Opengear's sh): argv commands and scripts;
// - CliSession: a line-oriented device CLI that is not a shell (RouterOS).
// The SSH transport's sessions are both (DeviceSession); a driver types its parameters with the
// one it needs.

export interface CommandResult {
  /** The command line as sent (secrets redacted where known). */
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  /** Bytes written to the command's standard input (file contents travel this way, never in argv). */
  stdin?: string;
  /** The longest the command may run in total. */
  timeoutMs?: number;
  /** The longest the command may go without printing anything (stdout or stderr). */
  idleTimeoutMs?: number;
  /**
   * The most bytes of stdout kept; more fails the command with OutputTooLargeError and closes its
   * channel, so a device that prints without end cannot exhaust our memory. stderr has its own
   * fixed cap.
   */
  maxOutputBytes?: number;
  /**
   * A short human name of the step ("stage", "health"). Errors then say it instead of the command
   * line, and carry only a short one-line form of the command, never a whole script.
   */
  name?: string;
  /** Return a non-zero exit as a result instead of throwing CommandError. */
  allowFailure?: boolean;
}

/** A script occupies its command's standard input: whatever it needs travels inside it. */
export type ScriptOptions = Omit<RunOptions, "stdin">;

export interface PosixSession {
  readonly device: string;
  /** Runs one command; every element of argv is shell-quoted. Wrapped in `sudo -n` when the inventory says so. */
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /**
   * Runs a POSIX sh script, sent on standard input to `sh -s` (`sudo -n sh -s` when the inventory
   * says so), never through the login shell's quoting. The script is parsed whole before any of
   * it runs, and its commands read /dev/null, not the rest of the script. The caller builds it
   * with shQuote from transport/quote.ts; nothing unquoted may be interpolated.
   */
  sh(script: string, opts?: ScriptOptions): Promise<CommandResult>;
}

export interface CliSession {
  readonly device: string;
  /**
   * Sends one command line exactly as given: no shell quoting, no sudo. For device CLIs that are
   * not POSIX shells (RouterOS), whose driver quotes every value in that CLI's own syntax.
   */
  line(commandLine: string, opts?: RunOptions): Promise<CommandResult>;
}

/** What the transport hands out: a session that speaks both (the device decides which works). */
export type DeviceSession = PosixSession & CliSession;

export interface Transport {
  /** The session for a device: one connection per device per run, opened on first use. */
  session(device: string): Promise<DeviceSession>;
  /** A session over a brand-new connection (health gates must prove the device is still reachable). */
  freshSession(device: string): Promise<DeviceSession>;
  closeAll(): Promise<void>;
  /**
   * What stops these devices (and the devices they are reached through) from being reached at
   * all, found without connecting: an unset credential variable, an unreadable key file, no host
   * key pinned. Each problem once, naming the devices it affects. A transport that needs nothing
   * of the operator's environment leaves it out.
   */
  preflight?(devices: readonly string[]): Promise<string[]>;
}
