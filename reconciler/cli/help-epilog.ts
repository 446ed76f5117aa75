// The text after `reconciler --help`: every exit code and every environment variable, so that a
// script's author finds them where they look first. Kept within 80 columns.
import { ENVIRONMENT } from "./environment.ts";
import { EXIT, EXIT_MEANING } from "./exit-codes.ts";

const WIDTH = 80;

/** Words of text over lines of at most WIDTH columns, each starting with indent. */
function wrap(text: string, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    const start = line === first || line === indent;
    if (!start && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else line += (start ? "" : " ") + word;
  }
  lines.push(line);
  return lines;
}

export function helpEpilog(): string {
  const codes = (Object.keys(EXIT) as (keyof typeof EXIT)[]).flatMap((k) =>
    wrap(EXIT_MEANING[k], " ".repeat(8), `  ${String(EXIT[k]).padEnd(6)}`),
  );
  const env = ENVIRONMENT.flatMap((e) => [`  ${e.name}`, ...wrap(e.meaning, " ".repeat(8))]);
  return [
    "",
    "Exit codes:",
    ...codes,
    "",
    "Environment:",
    ...env,
    "",
    ...wrap(
      "--limit takes comma-separated device names, group names, globs (core-*) and labels (site=pop-1); !term excludes.",
      "",
    ),
    ...wrap(
      "`reconciler help <command>` prints a command's options; the manual is docs/reconciler.1 (man reconciler once installed).",
      "",
    ),
  ].join("\n");
}
