// Text that came from a device or a repository file is printed only through these functions. A
// device (or a desired-state file) controls those bytes: raw, an ANSI or OSC escape could erase
// our lines, retitle the terminal or hide a link, a carriage return could overwrite a line, and a
// bidi override could make text read backwards. Such characters are shown as visible escapes.

/**
 * Every C0 control except newline and tab, DEL, the C1 controls U+0080–U+009F, and the bidi
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** `s` with every terminal control character replaced by a visible escape such as `\x1b` or `\u202e`. */
export function safeText(s: string): string {
  return s.replace(UNSAFE, visible);
}

/**
 * Device text as a block of our output: escaped, then every line prefixed (e.g. `  | `), so that
 * no line of it can pass for one of ours ("no changes", "confirmed").
 */
export function deviceLines(text: string, prefix: string): string {
  return safeText(text)
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/**
 * A message of ours that may end in device text over several lines (a failed step's output): its
 * first line escaped, every further line escaped and prefixed like deviceLines.
 */
export function safeMessage(message: string, prefix: string): string {
  const [first = "", ...rest] = safeText(message).split("\n");
  return [first, ...rest.map((line) => `${prefix}${line}`)].join("\n");
}

/** Text on one line of ours (a value in a change): escaped, with newlines shown as `\n`. */
export function safeLine(s: string): string {
  return safeText(s).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}
