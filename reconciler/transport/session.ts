// The contract between drivers and the transport: drivers only ever see a DeviceSession, so the
// same driver runs over the ssh2 pool in production and over a scripted fake in unit tests.

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

export interface DeviceSession {
  readonly device: string;
  /** Runs one command; every element of argv is shell-quoted. Wrapped in `sudo -n` when the inventory says so. */
  run(argv: readonly string[], opts?: RunOptions): Promise<CommandResult>;
  /**
   * Runs a POSIX sh script (as `sh -c`), for reads that must happen in one round trip. The caller
   * builds it with shQuote/shJoin from transport/quote.ts; nothing unquoted may be interpolated.
   */
  script(script: string, opts?: RunOptions): Promise<CommandResult>;
  /** Reads several files in one round trip; a missing file maps to null. */
  readFiles(paths: readonly string[]): Promise<Record<string, string | null>>;
  /**
   * Sends one command line exactly as given: no shell quoting, no sudo. Only for device CLIs that
   * are not POSIX shells (RouterOS), whose driver quotes every value in that CLI's own syntax.
   * Optional: the SSH transport has it; fakes need not.
   */
  runLine?(commandLine: string, opts?: RunOptions): Promise<CommandResult>;
}

export interface Transport {
  /** The session for a device: one connection per device per run, opened on first use. */
  session(device: string): Promise<DeviceSession>;
  /** A session over a brand-new connection (health gates must prove the device is still reachable). */
  freshSession(device: string): Promise<DeviceSession>;
  closeAll(): Promise<void>;
}
