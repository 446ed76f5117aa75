// Text for GitHub fields that have a size limit and render Markdown. Sizes are counted in UTF-8
// bytes: GitHub documents its limits in "characters", but a byte is never less than a character,
// so a text within the limit in bytes is within it however GitHub counts (and plan text is
// ASCII nearly always, where the two are the same).

/** GitHub's limit on a check run's output.summary and output.text. */
export const CHECK_RUN_TEXT_LIMIT = 65_535;
/** GitHub's limit on the body of an issue, a pull request or a comment. */
export const BODY_LIMIT = 65_536;

const encoder = new TextEncoder();

export const byteLength = (text: string): number => encoder.encode(text).length;

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never cutting a character in two. */
export function prefixWithin(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return "";
  // encodeInto writes only whole characters and says how many UTF-16 units it read.
  const { read } = encoder.encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

export interface Cut {
  /** What is kept. */
  text: string;
  /** Characters (code points) left out, 0 when it all fitted. */
  omitted: number;
}

/**
 * `text` cut to fit `maxBytes` together with the note that says how much was left out; the cut
 * falls at the end of a line when there is one in the last 2,000 characters kept, so that a
 * reader does not take half a line for a whole one.
 */
export function cutToFit(text: string, maxBytes: number, note: (omitted: number) => string): Cut {
  if (byteLength(text) <= maxBytes) return { text, omitted: 0 };
  // The note with the largest count it could say, so that the real one (never longer) fits too.
  const budget = maxBytes - byteLength(note(codePoints(text)));
  let kept = prefixWithin(text, budget);
  const lastNewline = kept.lastIndexOf("\n");
  if (lastNewline >= 0 && kept.length - lastNewline <= 2_000) kept = kept.slice(0, lastNewline + 1);
  return { text: kept, omitted: codePoints(text) - codePoints(kept) };
}

/** ANSI escape sequences (colours, cursor moves): a plan printed for a terminal may hold them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what it matches
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

export const stripAnsi = (text: string): string => text.replace(ANSI, "");

/**
 * A fence for a fenced code block around `text`: one backtick longer than the longest run of
 * backticks inside, so that nothing in the text can close the block and be read as Markdown.
 */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * A value for a Markdown table cell or a heading: one line, pipes and HTML characters escaped,
 * and "@" followed by a zero-width joiner so that a name never pings a GitHub user.
 */
export function inlineText(text: string, maxChars = 200): string {
  const line = stripAnsi(text).replace(/\s+/g, " ").trim();
  const short = line.length > maxChars ? `${line.slice(0, maxChars - 3)}...` : line;
  return short
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/`/g, "\\`")
    .replace(/@/g, "@\u200d");
}

/** A hidden marker: an HTML comment, which GitHub keeps in the body and does not render. */
export function hiddenMarker(marker: string): string {
  const trimmed = marker.trim();
  if (trimmed.startsWith("<!--") && trimmed.endsWith("-->")) {
    const inner = trimmed.slice(4, -3);
    if (inner.includes("--")) throw new Error(`marker ${JSON.stringify(marker)} has "--" inside`);
    return trimmed;
  }
  if (trimmed.length === 0 || trimmed.includes("--"))
    throw new Error(`marker ${JSON.stringify(marker)} cannot be an HTML comment`);
  return `<!-- ${trimmed} -->`;
}

/** A body cut to GitHub's body limit, with a note when cut. */
export function fitBody(body: string, reserved = 0): string {
  const note = (n: number) => `\n\n... ${n} characters more, cut to fit GitHub's limit\n`;
  const { text, omitted } = cutToFit(body, BODY_LIMIT - reserved, note);
  return omitted > 0 ? text + note(omitted) : text;
}

/** A body with its marker on the first line, cut to GitHub's body limit. */
export function markedBody(marker: string, body: string): string {
  const head = `${marker}\n`;
  return head + fitBody(body, byteLength(head));
}
