// POSIX shell quoting. Every value that reaches a remote shell goes through here, even values
// the schema already constrained: defence in depth against the one pattern that was too loose.

/** Quotes one argument for sh: wrapped in single quotes, embedded single quotes as '\''. */
export function shQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot be passed to a shell command");
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value) && !value.startsWith("-")) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argument vector, every argument quoted. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(" ");
}
