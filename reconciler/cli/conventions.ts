// What every command line tool is expected to have, added to the program in one place:
// --version, --no-color (with NO_COLOR / FORCE_COLOR, report/color.ts), the exit codes and
// environment after --help, and `completion bash|zsh|fish`.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { useColor } from "../report/color.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { helpEpilog } from "./help-epilog.ts";

/**
 * The version in package.json: the one place it is written. Two levels up from the sources
 * (reconciler/cli/), three from the compiled code (dist/reconciler/cli/).
 */
export function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "reconciler" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // Not there: the other layout.
    }
  }
  return "unknown";
}

export const SHELLS = ["bash", "zsh", "fish"] as const;

/**
 * Adds the conventions to the root command. setColor is called before any command's action with
 * the run's colour decision, which the actions pass on to their printers.
 */
export function addConventions(
  root: Command,
  setColor: (on: boolean) => void,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Command {
  root
    .version(`${root.name()} ${packageVersion()}`, "-V, --version", "print the version and exit")
    .option("--no-color", "no colour, even on a terminal (also: NO_COLOR=1; FORCE_COLOR=1 forces it)")
    .addHelpText("after", helpEpilog())
    .hook("preAction", (self) => {
      const opts = self.opts() as { color?: boolean };
      setColor(useColor({ isTTY: process.stdout.isTTY, env: process.env, colorOption: opts.color }));
    });
  root
    .command("completion")
    .description("print a shell completion script: source it, or install it where your shell looks")
    .argument("<shell>", `the shell: ${SHELLS.join(", ")}`)
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new CliError(
          `completion: unknown shell ${JSON.stringify(shell)}: expected ${SHELLS.join(", ")}`,
          EXIT.usage,
        );
      const { completionScript } = await import("./completion.ts");
      write(completionScript(root, shell as (typeof SHELLS)[number]));
    });
  // Plumbing for the completion scripts: hidden from --help, the man page and completion itself.
  root
    .command("__complete-names", { hidden: true })
    .option("--repo <dir>", "the repository", process.cwd())
    .action(async (opts: { repo: string }) => {
      const { completeNames } = await import("./complete-names.ts");
      write(completeNames(opts.repo));
    });
  return root;
}
