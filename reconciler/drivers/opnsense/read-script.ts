// The one sh script that reads an OPNsense box in one round trip. root's login shell there is
// csh, so the script goes on stdin to `sh -s` (the session does that); only what FreeBSD's base
// system has is used (sh, awk, sed, wc, cat), no GNU-only flag. Secrets never leave the box:
// awk replaces the content of every secret element of config.xml by its token, in document order
// (the lexical rule of secrets.ts); `wg show all dump` loses its keys and counters; the FRR
// running configuration its passwords and keys.
import { shQuote } from "../../transport/quote.ts";
import { WG_DUMP_FILTER } from "../debian/read-script.ts";
import { sectionFunctions } from "../kit/sections.ts";
import { CMD_FRR_RUNNING, CMD_WG_DUMP, CONFIG_XML } from "./paths.ts";
import { SECRET_ELEMENTS } from "./secrets.ts";
import { MAX_CONFIG_CHARS } from "./xml.ts";

/**
 * Line by line (no file is held whole): `ins` is set while inside a secret's content, which is
 * dropped with its newlines, so that `<prv>A\nB</prv>` becomes `<prv>@device-secret:N@</prv>`
 * exactly as redactConfig() writes it.
 */
export const REDACT_CONFIG_AWK = [
  `awk 'BEGIN { n = 0; ins = 0; pat = "<(${SECRET_ELEMENTS.join("|")})([ \\t\\r\\f\\v/][^>]*)?>" }`,
  '{ line = $0; out = ""',
  "  for (;;) {",
  '    if (ins) { i = index(line, "</" nm ">"); if (i == 0) { line = ""; break }; line = substr(line, i); ins = 0 }',
  '    if (match(line, pat) == 0) { out = out line; line = ""; break }',
  "    tag = substr(line, RSTART, RLENGTH); out = out substr(line, 1, RSTART + RLENGTH - 1)",
  "    line = substr(line, RSTART + RLENGTH); idx = n; n++",
  '    if (substr(tag, length(tag) - 1, 1) == "/") continue',
  '    nm = substr(tag, 2); sub(/[ \\t\\r\\f\\v>].*$/, "", nm)',
  '    i = index(line, "</" nm ">"); if (i == 1) continue',
  '    out = out "@device-secret:" idx "@"',
  '    if (i == 0) { ins = 1; line = ""; break }',
  "    line = substr(line, i)",
  "  }",
  '  printf "%s", out; if (!ins) printf "\\n" }\'',
].join("\n");

const REDACT_FRR_SED = [
  "sed -E",
  "-e 's/((^|[[:space:]-])(password|authentication-key|key-string)[[:space:]]+).*/\\1(hidden)/'",
  "-e 's/(message-digest-key[[:space:]]+[0-9]+[[:space:]]+md5[[:space:]]+)[^[:space:]]+/\\1(hidden)/'",
].join(" ");

export function buildReadScript(nonce: string): string {
  const f = shQuote(CONFIG_XML);
  return [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH",
    "LC_ALL=C; export LC_ALL",
    ...sectionFunctions(nonce),
    `redact_config() { ${REDACT_CONFIG_AWK}; }`,
    `redact_frr() { ${REDACT_FRR_SED}; }`,
    `strip_wg_dump() { ${WG_DUMP_FILTER}; }`,
    // A file larger than the parser accepts is refused here, before it crosses the wire.
    `if [ -f ${f} ] && [ "$(wc -c < ${f})" -gt ${MAX_CONFIG_CHARS} ]; then begin "file:${CONFIG_XML}"; end "file:${CONFIG_XML}" too-large; else emit_file ${f} redact_config; fi`,
    // Running state for health; a box without the plugin has no wg or vtysh: rc=absent.
    `if command -v wg >/dev/null 2>&1; then emit_cmd ${shQuote(CMD_WG_DUMP)} strip_wg_dump wg show all dump; else begin ${shQuote(CMD_WG_DUMP)}; end ${shQuote(CMD_WG_DUMP)} absent; fi`,
    `if command -v vtysh >/dev/null 2>&1; then emit_cmd ${shQuote(CMD_FRR_RUNNING)} redact_frr vtysh -c 'show running-config'; else begin ${shQuote(CMD_FRR_RUNNING)}; end ${shQuote(CMD_FRR_RUNNING)} absent; fi`,
    "",
  ].join("\n");
}
