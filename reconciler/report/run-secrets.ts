// The last line of defence: the values of every secret this run may use (the environment
// variables the desired state names in `*_env` fields, the SSH password) are collected when the
// repository is loaded, and every byte the reconciler prints, saves as a plan or writes to its
// state store passes through redactRunSecrets(). Drivers already keep secrets out of what they
// return; this catches what slipped through (a device echoing a password in an error).

const values = new Set<string>();

/** Secrets shorter than this are not redacted (they would mangle ordinary text). */
const MIN_LENGTH = 4;

export function addRunSecrets(candidates: Iterable<string | undefined>): void {
  for (const v of candidates) if (typeof v === "string" && v.length >= MIN_LENGTH) values.add(v);
}

/** For tests: forget the secrets of an earlier run in the same process. */
export function clearRunSecrets(): void {
  values.clear();
}

export function redactRunSecrets(text: string): string {
  if (values.size === 0) return text;
  let out = text;
  // Longest first, so that a secret containing another is replaced whole.
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    if (out.includes(v)) out = out.split(v).join("(secret)");
    // The same value as JSON writes it (quotes, backslashes escaped).
    const json = JSON.stringify(v).slice(1, -1);
    if (json !== v && out.includes(json)) out = out.split(json).join("(secret)");
  }
  return out;
}

/** Makes a stream redact every string written to it. */
export function redactWrites(stream: NodeJS.WritableStream): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  (stream as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === "string" ? redactRunSecrets(chunk) : chunk, ...rest);
}
