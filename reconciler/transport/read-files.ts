// Reading many remote files in one round trip: a small POSIX sh script prints, for each path, a
// header line and then the file's bytes, and the parser splits the output by byte lengths.
//
// Framing: every header is "<nonce> <index> <length|missing|unreadable>\n" and must start at
// exactly the byte where the previous file's content ended (the output ends with
// "<nonce> end\n"). The nonce is random per call, and headers are found by position, never by
// searching, so file content that contains header-like text (even this call's nonce) cannot
// shift the frames. A file that changed size while being read breaks the frame and is reported.
import { randomBytes } from "node:crypto";
import { shQuote } from "./quote.ts";

/** A remote path we are willing to put in a script: absolute, no NUL, no newline. */
export function validateRemotePath(path: string): void {
  if (!path.startsWith("/")) throw new Error(`remote path ${JSON.stringify(path)} is not absolute`);
  if (/[\0\n\r]/.test(path)) throw new Error(`remote path ${JSON.stringify(path)} contains a NUL or newline`);
}

export const newNonce = () => `rcl-${randomBytes(12).toString("hex")}`;

/**
 * The script: `r INDEX PATH` prints one frame. `wc -c` gives the byte length (its output is padded
 * with blanks on BSDs, hence `tr`); `cat` then prints exactly those bytes unless the file changes.
 */
export function readFilesScript(paths: readonly string[], nonce: string): string {
  for (const p of paths) validateRemotePath(p);
  if (!/^[A-Za-z0-9-]+$/.test(nonce)) throw new Error("nonce must be alphanumeric");
  const lines = [
    "r() {",
    '  if [ -f "$2" ] && [ -r "$2" ]; then',
    `    n=$(wc -c <"$2" 2>/dev/null | tr -d ' \\t')`,
    "    case $n in ''|*[!0-9]*) n=unreadable ;; esac",
    `    printf '%s %s %s\\n' ${nonce} "$1" "$n"`,
    '    [ "$n" = unreadable ] || cat "$2"',
    '  elif [ -e "$2" ] || [ -h "$2" ]; then',
    `    printf '%s %s unreadable\\n' ${nonce} "$1"`,
    "  else",
    `    printf '%s %s missing\\n' ${nonce} "$1"`,
    "  fi",
    "}",
    ...paths.map((p, i) => `r ${i} ${shQuote(p)}`),
    `printf '%s end\\n' ${nonce}`,
  ];
  return `${lines.join("\n")}\n`;
}

export class ReadFilesFormatError extends Error {}

export interface ReadFilesOutcome {
  files: Record<string, string | null>;
  /** Paths that exist but are not readable regular files. */
  unreadable: string[];
}

export function parseReadFilesOutput(out: Buffer, paths: readonly string[], nonce: string): ReadFilesOutcome {
  const files: Record<string, string | null> = {};
  const unreadable: string[] = [];
  let pos = 0;
  const header = (): string[] => {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new ReadFilesFormatError(`output ends inside a header at byte ${pos}`);
    const line = out.subarray(pos, nl).toString("latin1");
    pos = nl + 1;
    const fields = line.split(" ");
    if (fields[0] !== nonce) {
      throw new ReadFilesFormatError(
        `expected a header at byte ${pos - line.length - 1}, found ${JSON.stringify(line.slice(0, 60))} (did a file change while it was read?)`,
      );
    }
    return fields.slice(1);
  };
  paths.forEach((path, i) => {
    const [index, size, ...rest] = header();
    if (index !== String(i) || size === undefined || rest.length > 0) {
      throw new ReadFilesFormatError(`malformed header for ${path}: ${index} ${size}`);
    }
    if (size === "missing") files[path] = null;
    else if (size === "unreadable") unreadable.push(path);
    else if (/^\d+$/.test(size)) {
      const n = Number(size);
      if (pos + n > out.length) throw new ReadFilesFormatError(`${path}: output ends before its ${n} bytes`);
      files[path] = out.subarray(pos, pos + n).toString("utf8");
      pos += n;
    } else throw new ReadFilesFormatError(`malformed length for ${path}: ${JSON.stringify(size)}`);
  });
  const end = header();
  if (end.length !== 1 || end[0] !== "end" || pos !== out.length) {
    throw new ReadFilesFormatError("unexpected output after the last file");
  }
  return { files, unreadable };
}
