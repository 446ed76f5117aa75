// The one sh script that reads an Opengear box in one round trip, with what its BusyBox-like
// userland has (sh, awk, mktemp, cat): the whole store as `ogcli export` writes it (into a
// root-only temporary directory, then through the redacting awk: secrets never cross the wire),
// the WireGuard public keys (`wg show all public-key`), Tailscale's backend state, and the notices
// of runs the box reverted by itself.
import { shQuote as q } from "../../transport/quote.ts";
import { noticeDir, PATH_LINE } from "../kit/layout.ts";
import { sectionFunctions } from "../kit/sections.ts";
import { OPENGEAR_LAYOUT } from "./apply/layout.ts";
import { REDACT_EXPORT_AWK } from "./redact.ts";

export const EXPORT_ARTIFACT = "ogcli:export";
export const WG_KEYS_ARTIFACT = "wg:public-keys";
export const TAILSCALE_ARTIFACT = "tailscale:backend-state";

/** Shell lines that leave the redacted export in section NAME (also used by stage's compare). */
export function exportLines(section: string, tmp: string): string[] {
  const s = q(section);
  return [
    `if command -v ogcli >/dev/null 2>&1; then`,
    `  ogcli export ${tmp}/export > ${tmp}/err 2>&1; _rc=$?`,
    `  if [ "$_rc" = 0 ] && [ -f ${tmp}/export ]; then begin ${s}; redact_export < ${tmp}/export; end ${s} $?`,
    `  else begin ${s}; cat ${tmp}/err; end ${s} "$_rc"; fi`,
    `else begin ${s}; end ${s} absent; fi`,
    `rm -f ${tmp}/export ${tmp}/err`,
  ];
}

export const redactFunction = () => `redact_export() { ${REDACT_EXPORT_AWK}; }`;

/** The awk that keeps `"BackendState": "Running"` from `tailscale status --json`. */
export const BACKEND_STATE_FN = `backend_state() { awk '/"BackendState"[ \\t]*:/ { print; exit }'; }`;

export function buildReadScript(nonce: string): string {
  const notices = noticeDir(OPENGEAR_LAYOUT);
  return [
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    "umask 077",
    ...sectionFunctions(nonce),
    redactFunction(),
    BACKEND_STATE_FN,
    // A private directory: the export holds secrets until the awk has redacted them.
    `_T=$(mktemp -d 2>/dev/null) || { _T=/tmp/reconciler-read.$$; mkdir -m 700 "$_T" || exit 2; }`,
    ...exportLines(EXPORT_ARTIFACT, '"$_T"'),
    `rmdir "$_T" 2>/dev/null || rm -rf "$_T"`,
    `if command -v wg >/dev/null 2>&1; then section ${WG_KEYS_ARTIFACT} wg show all public-key; else begin ${WG_KEYS_ARTIFACT}; end ${WG_KEYS_ARTIFACT} absent; fi`,
    // Only the backend state line: the rest of the status names peers and addresses nobody asked for.
    `if command -v tailscale >/dev/null 2>&1; then emit_cmd ${TAILSCALE_ARTIFACT} backend_state tailscale status --json; else begin ${TAILSCALE_ARTIFACT}; end ${TAILSCALE_ARTIFACT} absent; fi`,
    `for _n in ${q(notices)}/*; do [ -f "$_n" ] || continue; begin "notice:$_n"; cat "$_n"; end "notice:$_n" $?; done`,
    "",
  ].join("\n");
}
