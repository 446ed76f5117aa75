// The awk program that puts the device's own secrets back into a candidate: the live config.xml
// is read first and every secret element's content collected by the same lexical rule the read
// script redacts with (secrets.ts: the open tag on one line, counted in document order from 0,
// content up to the first close tag, across lines); then every `@device-secret:N@` of the
// candidate is replaced by the content of secret N. An unknown N fails (exit 3): the candidate
// was not made from this file. `@device-key:wgN@` and `@device-pubkey:wgN@` become the key pair
// `reconciler keys` had the box generate (keys.ts), read from the key directory (-v keydir=).
// POSIX awk only (FreeBSD's and mawk alike).
import { SECRET_ELEMENTS } from "../secrets.ts";

export function fillSecretsAwk(): string {
  const names = SECRET_ELEMENTS.join("|");
  return [
    `BEGIN { n = 0; ins = 0; pat = "<(${names})([ \\t\\r\\f\\v/][^>]*)?>" }`,
    "FNR == NR {",
    "  line = $0",
    "  for (;;) {",
    "    if (ins) {",
    '      i = index(line, "</" nm ">")',
    '      if (i == 0) { sec[idx] = sec[idx] line "\\n"; line = ""; break }',
    "      sec[idx] = sec[idx] substr(line, 1, i - 1); line = substr(line, i); ins = 0",
    "    }",
    "    if (match(line, pat) == 0) break",
    "    tag = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH); idx = n; n++",
    '    if (substr(tag, length(tag) - 1, 1) == "/") continue',
    '    nm = substr(tag, 2); sub(/[ \\t\\r\\f\\v>].*$/, "", nm)',
    '    i = index(line, "</" nm ">")',
    '    if (i == 0) { sec[idx] = line "\\n"; ins = 1; break }',
    "    sec[idx] = substr(line, 1, i - 1); line = substr(line, i)",
    "  }",
    "  next",
    "}",
    "{",
    '  out = ""; line = $0',
    "  while (match(line, /@device-secret:[0-9]+@/)) {",
    "    tok = substr(line, RSTART + 15, RLENGTH - 16)",
    '    if (!(tok in sec)) { printf "no secret number %s in the live config.xml\\n", tok > "/dev/stderr"; bad = 1; exit 3 }',
    "    out = out substr(line, 1, RSTART - 1) sec[tok]; line = substr(line, RSTART + RLENGTH)",
    "  }",
    '  line = out line; out = ""',
    "  while (match(line, /@device-(key|pubkey):wg[0-9]+@/)) {",
    '    tok = substr(line, RSTART + 8, RLENGTH - 9); kind = substr(tok, 1, index(tok, ":") - 1)',
    '    f = keydir "/" substr(tok, index(tok, ":") + 1) (kind == "key" ? ".key" : ".pub")',
    '    v = ""; if ((getline v < f) <= 0 || v == "") { printf "no generated key %s: run reconciler keys first\\n", f > "/dev/stderr"; bad = 1; exit 3 }',
    "    close(f); out = out substr(line, 1, RSTART - 1) v; line = substr(line, RSTART + RLENGTH)",
    "  }",
    "  print out line",
    "}",
    "END { if (bad) exit 3 }",
    "",
  ].join("\n");
}
