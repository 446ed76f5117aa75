// The one sh script that reads everything in one round trip. Each output is a nonce-framed
// section (kit/sections.ts): rc=absent for a missing file, rc=not-running when FRR is not
// running. Secrets never leave the device:
// - `wg show all dump`: awk replaces the private key (interface lines) and the preshared key (peer
//   lines) by "(hidden)", and the run-time counters (handshake, rx, tx) by "-", which also keeps
//   the artifact, and so the fingerprint, stable between two reads;
// - wg-quick files: PrivateKey/PresharedKey values, bird.conf: password strings, frr.conf and
//   running-config: passwords and keys, are replaced by "(hidden)" with sed.
import { shQuote } from "../../transport/quote.ts";
import { noticeDir, runsDir } from "../kit/layout.ts";
import { sectionFunctions } from "../kit/sections.ts";
import {
  BIRD_CONF,
  CMD_BIRD_PROTOCOLS,
  CMD_FRR_RUNNING,
  CMD_IP_ADDR,
  CMD_SYSCTL,
  CMD_WG_DUMP,
  DEBIAN_LAYOUT,
  FRR_CONF,
  IFUPDOWN_CONF,
  SYSCTL_CONF,
  WIREGUARD_DIR,
} from "./paths.ts";

const NOTICE_DIR = noticeDir(DEBIAN_LAYOUT);
const RUNS_DIR = runsDir(DEBIAN_LAYOUT);

export const WG_DUMP_FILTER = [
  'awk \'BEGIN { FS = OFS = "\\t" }',
  'NF == 5 { if ($2 != "(none)") $2 = "(hidden)"; print; next }',
  'NF == 9 { if ($3 != "(none)") $3 = "(hidden)"; $6 = "-"; $7 = "-"; $8 = "-"; print; next }',
  '{ print "(unexpected line hidden)" }\'',
].join(" ");

const REDACT_WG = `sed -E 's/^([[:space:]]*(PrivateKey|PresharedKey)[[:space:]]*=).*/\\1 (hidden)/I'`;
const REDACT_BIRD = `sed -E 's/(password[[:space:]]+)"[^"]*"/\\1"(hidden)"/g'`;
const REDACT_FRR = [
  "sed -E",
  "-e 's/((^|[[:space:]-])(password|authentication-key|key-string)[[:space:]]+).*/\\1(hidden)/'",
  "-e 's/(authentication[[:space:]]+string[[:space:]]+).*/\\1(hidden)/'",
  "-e 's/(message-digest-key[[:space:]]+[0-9]+[[:space:]]+md5[[:space:]]+)[^[:space:]]+/\\1(hidden)/'",
  "-e 's/(authentication[[:space:]]+key-id[[:space:]].*[[:space:]]key[[:space:]]+)[^[:space:]]+/\\1(hidden)/'",
].join(" ");

export function buildReadScript(nonce: string): string {
  const q = shQuote;
  return [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH",
    "LC_ALL=C; export LC_ALL",
    ...sectionFunctions(nonce),
    `redact_wg() { ${REDACT_WG}; }`,
    `redact_bird() { ${REDACT_BIRD}; }`,
    `redact_frr() { ${REDACT_FRR}; }`,
    `strip_wg_dump() { ${WG_DUMP_FILTER}; }`,
    `emit_file ${q(BIRD_CONF)} redact_bird`,
    `emit_file ${q(FRR_CONF)} redact_frr`,
    `emit_file ${q(SYSCTL_CONF)} cat`,
    `emit_file ${q(IFUPDOWN_CONF)} cat`,
    // wg-quick's own rule for interface names; other names are not wg-quick files.
    `for _c in ${q(WIREGUARD_DIR)}/*.conf; do`,
    `  [ -f "$_c" ] || continue`,
    `  case "\${_c##*/}" in *[!A-Za-z0-9_=+.-]*) continue ;; esac`,
    `  emit_file "$_c" redact_wg`,
    "done",
    `emit_cmd ${q(CMD_WG_DUMP)} strip_wg_dump wg show all dump`,
    `emit_cmd ${q(CMD_IP_ADDR)} cat ip -j -d addr show`,
    `emit_cmd ${q(CMD_SYSCTL)} cat sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding`,
    // bird's protocols, where bird is configured: one disabled by hand is drift.
    `if [ -f ${q(BIRD_CONF)} ]; then emit_cmd ${q(CMD_BIRD_PROTOCOLS)} cat birdc show protocols; fi`,
    // FRR runs when its daemons' vty sockets exist; only then is vtysh asked.
    "_frr=no",
    'for _s in /var/run/frr/*.vty; do [ -S "$_s" ] && _frr=yes; done',
    `if [ "$_frr" = yes ]; then emit_cmd ${q(CMD_FRR_RUNNING)} redact_frr vtysh -c 'show running-config';`,
    `else begin ${q(CMD_FRR_RUNNING)}; end ${q(CMD_FRR_RUNNING)} not-running; fi`,
    // Runs committed and not confirmed (their revert timer is pending): the device is not in the
    // state it shows for long. One section each, holding the revert deadline (epoch seconds).
    `for _r in ${q(RUNS_DIR)}/*; do [ -f "$_r/armed" ] || continue; begin "armed:\${_r##*/}"; cat "$_r/deadline" 2>/dev/null; end "armed:\${_r##*/}" 0; done`,
    // Notices the device left for the operator (a revert nobody confirmed): one section each.
    `for _n in ${q(NOTICE_DIR)}/*; do [ -f "$_n" ] || continue; begin "notice:$_n"; cat "$_n"; end "notice:$_n" $?; done`,
    "exit 0",
    "",
  ].join("\n");
}
