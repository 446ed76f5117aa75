// The reconciler's entry point: parses the command line (program.ts), runs one command, and is the
// only place that catches errors, turning them into one line on stderr and an exit code.
import { CommanderError } from "commander";
import { redactWrites } from "../report/run-secrets.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { program } from "./program.ts";

async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  try {
    await program((c) => {
      exitCode = c;
    }).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`reconciler: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(
      `reconciler: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.internal;
  }
  return exitCode;
}

// Every string printed passes the run's secret values through redaction (report/run-secrets.ts).
redactWrites(process.stdout);
redactWrites(process.stderr);

// `reconciler plan | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv);
