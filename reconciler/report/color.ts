// Whether output is coloured: one decision, made once per run from the stream and the
// environment, passed to every printer (they never look at the terminal themselves).
// The order follows the conventions people expect, strongest first:
//   --no-color                      off: the operator asked on this command line
//   NO_COLOR (any non-empty value)  off (no-color.org)
//   FORCE_COLOR (non-empty, not 0)  on, even into a pipe or a CI log that renders ANSI
//   not a terminal, or TERM=dumb    off: escape codes would litter files and logs
//   otherwise                       on
// NO_COLOR wins over FORCE_COLOR, as picocolors (which prints the colours) also decides.

export interface ColorInputs {
  /** Whether the stream the colours go to is a terminal. */
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** commander's value of --no-color: false when it was given. */
  colorOption?: boolean;
}

export function useColor({ isTTY, env, colorOption }: ColorInputs): boolean {
  if (colorOption === false) return false;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0") return true;
  if (isTTY !== true) return false;
  return env.TERM !== "dumb";
}
