// What the loader accepts as a file of the repository: a regular file inside it, of bounded
// size, in UTF-8. Anything else is refused by the readers with a RefusedFile, which the loader
// turns into a diagnostic. A refusal never carries the file's content: a symlink to
// /etc/shadow must not end up in a CI log.

/** Larger than any real inventory; a bound so a hostile file cannot exhaust memory. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export class RefusedFile extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly expected: string,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(`${file}: ${reason}`);
    this.name = "RefusedFile";
  }
}

export const SYMLINK_EXPECTED =
  "a regular file inside the repository (symbolic links are not followed: they could point outside it)";

/** Paths the loader asks for are repository-relative; anything else would escape the root. */
export function checkRelativePath(path: string): void {
  const parts = path.split("/");
  if (path.startsWith("/") || path.includes("\\") || parts.some((p) => p === ".." || p === "." || p === "")) {
    throw new RefusedFile(path, "the path leaves the repository", "a path inside the repository");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The file's text. A UTF-8 byte order mark is dropped (editors on Windows write one); UTF-16 and
 * invalid UTF-8 are refused at the first offending byte, so the operator knows what to re-save.
 */
export function decodeText(file: string, bytes: Uint8Array): string {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new RefusedFile(file, `file is ${bytes.length} bytes`, `at most ${MAX_FILE_BYTES} bytes`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new RefusedFile(file, "file is UTF-16 (it starts with a UTF-16 byte order mark)", "UTF-8 text");
  }
  try {
    return utf8.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
    const line = countNewlines(bytes, lineStart) + 1;
    const column = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, at)).length + 1;
    throw new RefusedFile(
      file,
      `file is not valid UTF-8 (byte ${at + 1} cannot start or continue a character)`,
      "UTF-8 text",
      line,
      column,
    );
  }
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const len = sequenceLength(bytes, i);
    if (len === 0) return i;
    i += len;
  }
  return bytes.length;
}

/** Length of the well-formed sequence at `i` (RFC 3629, table 3-7 of Unicode), 0 if malformed. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i] ?? 0;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
