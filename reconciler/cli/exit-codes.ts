// Exit codes, after Terraform's -detailed-exitcode: scripts and CI branch on them. Each has its
// meaning beside it, printed by `reconciler --help`, the man page and the README (a unit test
// checks --help covers every one).
export const EXIT = {
  ok: 0,
  /** Invalid input, an unreachable device, a failed apply. */
  error: 1,
  /** plan: there are changes to apply. */
  changes: 2,
  /** Wrong command-line usage. */
  usage: 64,
  /** A bug in the reconciler (an unexpected exception): sysexits' EX_SOFTWARE. */
  internal: 70,
  /** apply was interrupted (SIGINT/SIGTERM); what was committed was rolled back. 128 + SIGINT. */
  interrupted: 130,
} as const;

/** What each exit code means, for the operator reading --help. */
export const EXIT_MEANING: Record<keyof typeof EXIT, string> = {
  ok: "success; plan and drift: nothing to change",
  error: "an error: invalid input, a device that could not be read, a failed or refused apply",
  changes: "plan: there are changes to apply; drift: a device differs from git",
  usage: "wrong command-line usage (an unknown option, a missing argument, a bad --limit)",
  internal: "an internal error: a bug in the reconciler (please report it with the message)",
  interrupted: "interrupted (SIGINT/SIGTERM); what had been committed was rolled back",
};

/** A failure the CLI reports as one line and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}
