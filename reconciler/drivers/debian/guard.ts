// Defence in depth for render: the schema already restricts every value, but a value that could
// break out of the file syntax it lands in (a newline ends a bird statement or an FRR command, a
// quote ends a bird string) is refused here again, loudly, instead of being written.

export class UnsafeValueError extends Error {
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(`refusing to render ${what} ${JSON.stringify(value)}: it could break out of the file syntax`);
    this.name = "UnsafeValueError";
  }
}

/** A single word: names, addresses, numbers. No whitespace, quotes, comment or statement characters. */
export function word(value: string | number, what: string): string {
  const text = String(value);
  if (!/^[A-Za-z0-9_.:/=+@%[\]-]+$/.test(text)) throw new UnsafeValueError(what, text);
  return text;
}

/** Free text on one line (descriptions, comments): no control characters, quotes, backslashes. */
export function lineText(value: string, what: string): string {
  const control = [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (control || /["\\`$]/.test(value)) throw new UnsafeValueError(what, value);
  return value;
}

/** Text for a bird "..." string: one line, no double quote (bird strings have no escapes). */
export function birdString(value: string, what: string): string {
  return `"${lineText(value, what)}"`;
}

/** A verbatim multi-line snippet: no NUL, and not one of our own marker lines (it would end the section). */
export function snippet(value: string, what: string, markers: readonly string[]): string {
  if (value.includes("\0")) throw new UnsafeValueError(what, value);
  for (const line of value.split("\n")) {
    if (markers.includes(line.trim())) throw new UnsafeValueError(what, line);
  }
  return value;
}

/** The desired state asks for something this platform's daemon cannot express. */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedError";
  }
}

/** A Linux interface name as wg-quick accepts it; also a file name (no '/', not '.' or '..'). */
export function ifname(value: string, what = "an interface name"): string {
  if (!/^[A-Za-z0-9_=+.-]{1,15}$/.test(value) || value === "." || value === "..") {
    throw new UnsafeValueError(what, value);
  }
  return value;
}
