// The command line as data, read from commander's definitions (program.ts): what the shell
// completion scripts (completion.ts) and the man page (man-page.ts) are generated from, so that
// neither can drift from the options the program really has.
import type { Command } from "commander";

/** What a value is, for completion: files, directories, device names, a fixed set, or anything. */
export type ValueKind =
  | { kind: "none" }
  | { kind: "file" }
  | { kind: "directory" }
  | { kind: "devices" }
  | { kind: "choices"; choices: string[] }
  | { kind: "free" };

export interface OptionSpec {
  /** Every spelling: --limit, or -V and --version. */
  flags: string[];
  /** The placeholder as the help prints it (<pattern>), or "" for a switch. */
  placeholder: string;
  description: string;
  defaultValue?: string;
  value: ValueKind;
}

export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  value: ValueKind;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
}

export interface ProgramSpec {
  name: string;
  description: string;
  /** The root's own options (--version, --no-color, --help). */
  options: OptionSpec[];
  commands: CommandSpec[];
}

/** Options whose value names devices: --limit and the other device selectors. */
const DEVICE_OPTIONS = new Set(["--limit", "--canary", "--revert"]);
/** Arguments that name devices. */
const DEVICE_ARGUMENTS = new Set(["device", "devices"]);

function valueKind(long: string | undefined, placeholder: string): ValueKind {
  if (placeholder === "") return { kind: "none" };
  const inner = placeholder.replace(/^[<[]|[>\]]$/g, "").replace(/\.\.\.$/, "");
  if (long && DEVICE_OPTIONS.has(long)) return { kind: "devices" };
  if (inner === "dir") return { kind: "directory" };
  if (inner === "file" || inner.startsWith("file.")) return { kind: "file" };
  if (/^[a-z]+(\|[a-z]+)+$/.test(inner)) return { kind: "choices", choices: inner.split("|") };
  return { kind: "free" };
}

function optionsOf(c: Command): OptionSpec[] {
  const opts: OptionSpec[] = c.options
    .filter((o) => !o.hidden)
    .map((o) => {
      const placeholder = o.flags.match(/[<[][^>\]]*[>\]]/)?.[0] ?? "";
      const shown = o.negate || o.defaultValue === undefined || typeof o.defaultValue === "boolean";
      return {
        flags: [o.short, o.long].filter((f): f is string => typeof f === "string"),
        placeholder,
        description: o.description,
        // --repo's default is the directory the program was started in: said, not printed.
        ...(shown
          ? {}
          : {
              defaultValue:
                o.defaultValue === process.cwd() ? "the current directory" : String(o.defaultValue),
            }),
        value: valueKind(o.long, placeholder),
      };
    });
  // commander adds -h, --help itself, without an Option object in c.options.
  return [
    ...opts,
    { flags: ["-h", "--help"], placeholder: "", description: "display help", value: { kind: "none" } },
  ];
}

/** The argument of `completion`, as the completion command accepts it. */
function argumentValue(c: Command, name: string, description: string): ValueKind {
  if (DEVICE_ARGUMENTS.has(name)) return { kind: "devices" };
  if (name === "plan") return { kind: "file" };
  const choices = description.match(/: ([a-z]+(?:, [a-z]+)+)$/)?.[1];
  if (c.name() === "completion" && choices) return { kind: "choices", choices: choices.split(", ") };
  return { kind: "free" };
}

/**
 * The program's commands in the order they are defined, without commander's implicit `help`
 * and without hidden commands (named __...), which are plumbing for the completion scripts.
 */
export function describeProgram(root: Command): ProgramSpec {
  return {
    name: root.name(),
    description: root.description(),
    options: optionsOf(root),
    commands: root.commands
      .filter((c) => !c.name().startsWith("__"))
      .map((c) => ({
        name: c.name(),
        description: c.description(),
        options: optionsOf(c),
        arguments: c.registeredArguments.map((a) => ({
          name: a.name(),
          required: a.required,
          variadic: a.variadic,
          description: a.description,
          value: argumentValue(c, a.name(), a.description),
        })),
      })),
  };
}
