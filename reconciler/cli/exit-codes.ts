// Exit codes, after Terraform's -detailed-exitcode: scripts and CI branch on them.
export const EXIT = {
  ok: 0,
  /** Invalid input, an unreachable device, a failed apply. */
  error: 1,
  /** plan: there are changes to apply. */
  changes: 2,
  /** Wrong command-line usage. */
  usage: 64,
  /** apply was interrupted (SIGINT/SIGTERM); what was committed was rolled back. 128 + SIGINT. */
  interrupted: 130,
} as const;

/** A failure the CLI reports as one line and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}
