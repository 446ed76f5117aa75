// Upload inside the script: the script itself occupies `sh -s`'s standard input, so each file
// travels in it as a here-document of base64 lines, decoded on the device. The terminator holds
// a '-', which base64 never prints, so no line of any content can end the document early; the
// content is never interpolated into shell syntax at all.
import { shQuote as q } from "../../transport/quote.ts";
import { assertNonce } from "./sections.ts";

export interface Upload {
  /** Path relative to the run directory ($RUN), e.g. "candidate/0/bird.conf". */
  rel: string;
  content: string;
}

/** A relative path of plain names: no "..", no leading "/", nothing a shell would expand. */
export function assertRel(rel: string): string {
  if (!/^[A-Za-z0-9_=+-][A-Za-z0-9_.=+-]*(\/[A-Za-z0-9_=+-][A-Za-z0-9_.=+-]*)*$/.test(rel))
    throw new Error(`not a relative path inside a run directory: ${JSON.stringify(rel)}`);
  return rel;
}

export const uploadTerminator = (nonce: string) => `rcl-end-${assertNonce(nonce)}`;

/** Lines that write every upload under "$RUN" (its directories first); a failure sets _bad=1. */
export function uploadLines(uploads: readonly Upload[], nonce: string): string[] {
  const end = uploadTerminator(nonce);
  const L: string[] = [];
  const dirs = new Set<string>();
  for (const u of uploads) {
    const rel = assertRel(u.rel);
    if (rel.includes("/")) dirs.add(rel.slice(0, rel.lastIndexOf("/")));
  }
  for (const d of dirs) L.push(`mkdir -p "$RUN/"${q(d)} || _bad=1`);
  // base64 -d where there is one (GNU coreutils); else b64decode -r, FreeBSD's raw base64 decoder.
  if (uploads.length > 0)
    L.push(
      `if command -v base64 >/dev/null 2>&1; then _b64d() { base64 -d; }; else _b64d() { b64decode -r; }; fi`,
    );
  for (const u of uploads) {
    L.push(`_b64d > "$RUN/"${q(u.rel)} <<'${end}' || _bad=1`);
    const b64 = Buffer.from(u.content, "utf8").toString("base64");
    for (let i = 0; i < b64.length; i += 76) L.push(b64.slice(i, i + 76));
    L.push(end);
  }
  return L;
}
