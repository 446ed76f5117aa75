// Pure: the sh scripts of the apply protocol. Every value is quoted with shQuote (names and paths
// are also checked against strict patterns first); file contents travel only inside the stage
// script, as base64 here-documents (kit/upload.ts), which goes over stdin: never in argv.
//
// Device-side scripts written into the run directory at stage time:
// - lib.sh: helpers (install_file, restore_file, parsers of wg-quick and ifupdown files, sync_addrs);
// - converge.sh: makes the running state follow the managed files as they are in place: WireGuard
//   (wg-quick up / wg syncconf + addresses + MTU / ip link del), the ifupdown interfaces (create
//   bridges/dummies/VLANs, add and remove addresses, MTU, delete links the reconciler created and
//   no longer wants), sysctl, `birdc configure`, `frr-reload.py --reload`; it runs every step even
//   when one fails and exits non-zero when any did;
// - commit.sh: candidate files into place (temp name in the same directory, then mv; unchanged
//   files are not touched), then converge.sh;
// - revert.sh: snapshot copies back into place (cp -p then mv; files that were absent removed),
//   then converge.sh; as the timer, also the notice;
// - timer.sh: the detached revert timer.
import { shQuote as q } from "../../../transport/quote.ts";
import { releaseIfOursLines } from "../../kit/lock.ts";
import { sectionFunctions } from "../../kit/sections.ts";
import { type Upload, uploadLines } from "../../kit/upload.ts";
import { ifname } from "../guard.ts";
import {
  BIRD_CONF,
  BIRD_SECRET_DIR,
  FRR_CONF,
  IFUPDOWN_CONF,
  SYSCTL_CONF,
  WIREGUARD_KEY_DIR,
  wireguardConfName,
} from "../paths.ts";
import { wireguardSyncInput } from "../secrets.ts";
import type { ManagedFile } from "./candidate.ts";
import { assertRunId, DEBIAN_LAYOUT, NOTICE_DIR, PATH_LINE, RUNS_DIR, runDir, STATE_DIR } from "./layout.ts";

export const FRR_RELOAD = "/usr/lib/frr/frr-reload.py";

const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);
/** Where a file's candidate copy lives, relative to the run dir: its own name, so wg-quick accepts it. */
export const candidateRel = (f: ManagedFile) => `candidate/${f.index}/${base(f.path)}`;
export const snapshotRel = (f: ManagedFile) => `snapshot/${f.index}`;

const prelude = (runId: string) => [
  "set -f",
  "umask 077",
  PATH_LINE,
  "LC_ALL=C; export LC_ALL",
  `RUN=${q(runDir(runId))}`,
];

// ---------------------------------------------------------------------------------------------
// lock, unlock, keys

/** Generates missing private keys on the device and prints "<if>\t<public key>" lines only. */
export function ensureKeysScript(interfaces: readonly string[]): string {
  const lines = [
    PATH_LINE,
    "umask 077",
    `mkdir -p ${q(WIREGUARD_KEY_DIR)} && chmod 700 ${q(WIREGUARD_KEY_DIR)} || exit 2`,
  ];
  for (const raw of interfaces) {
    const n = ifname(raw);
    const k = `${WIREGUARD_KEY_DIR}/${n}.key`;
    lines.push(
      `if [ ! -s ${q(k)} ]; then wg genkey > ${q(`${k}.tmp`)} && mv -f ${q(`${k}.tmp`)} ${q(k)} || { echo ${q(`@@fail ${n}`)}; exit 3; }; fi`,
      `_p=$(wg pubkey < ${q(k)}) || { echo ${q(`@@fail ${n}`)}; exit 3; }`,
      `printf '%s\\t%s\\n' ${q(n)} "$_p"`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// device-side library

export function libScript(runId: string): string {
  return [
    ...prelude(runId),
    "ERRORS=0",
    `fail() { printf 'converge: %s\\n' "$*" >&2; ERRORS=$((ERRORS + 1)); }`,
    'has_link() { ip link show dev "$1" >/dev/null 2>&1; }',
    'in_file() { [ -f "$2" ] && grep -qxF -- "$1" "$2"; }',
    "# ensure_dir DIR MODE OWNER: create a missing directory with that mode and owner",
    `ensure_dir() { [ -d "$1" ] && return 0; mkdir -p "$1" && chmod "$2" "$1" && { chown "$3" "$1" 2>/dev/null || true; }; }`,
    "# install_file SRC DST MODE OWNER: DST gets SRC's bytes (temp name in DST's dir, then mv); an",
    "# existing DST keeps its mode and owner; an identical DST is not touched",
    "install_file() {",
    `  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi`,
    `  _t="$2.reconciler-tmp"`,
    `  cp "$1" "$_t" || return 1`,
    `  if [ -e "$2" ]; then chmod --reference="$2" "$_t" && chown --reference="$2" "$_t"`,
    `  else chmod "$3" "$_t" && { chown "$4" "$_t" 2>/dev/null || true; }; fi || { rm -f "$_t"; return 1; }`,
    `  mv -f "$_t" "$2"`,
    "}",
    "# restore_file SNAPSHOT DST: DST back to the snapshot copy (bytes, mode, owner, times) or removed",
    "restore_file() {",
    `  if [ -f "$1.absent" ]; then rm -f "$2"; return; fi`,
    `  _t="$2.reconciler-tmp"`,
    `  cp -p "$1" "$_t" && mv -f "$_t" "$2"`,
    "}",
    "# wg_conf_value FILE KEY: the values of KEY in the [Interface] section, comma-split, one a line",
    "wg_conf_value() {",
    `  [ -f "$1" ] || return 0`,
    `  awk -v key="$2" '/^[ \\t]*\\[/ { s = $0; gsub(/[ \\t\\r]/, "", s); next }`,
    `    s == "[Interface]" { k = $0; sub(/=.*/, "", k); gsub(/[ \\t]/, "", k)`,
    `      if (tolower(k) == key && index($0, "=") > 0) { v = substr($0, index($0, "=") + 1); n = split(v, a, ",")`,
    `        for (i = 1; i <= n; i++) { gsub(/[ \\t\\r]/, "", a[i]); if (a[i] != "") print a[i] } } }' "$1"`,
    "}",
    "# ifup_parse FILE: iface N | kind N bridge|dummy|vlan | vlan N PARENT ID | addr N A | mtu N M",
    "ifup_parse() {",
    `  [ -f "$1" ] || return 0`,
    `  awk '{ sub(/#.*/, "") }`,
    `    $1 == "iface" { n = $2; if (!(n in seen)) { seen[n] = 1; print "iface", n }; next }`,
    `    $1 == "pre-up" && $2 == "ip" && $3 == "link" && $4 == "add" && $5 == "dev" && $7 == "type" && ($8 == "bridge" || $8 == "dummy") { print "kind", $6, $8; next }`,
    `    $1 == "pre-up" && $2 == "ip" && $3 == "link" && $4 == "add" && $5 == "link" && $7 == "name" && $9 == "type" && $10 == "vlan" && $11 == "id" { print "kind", $8, "vlan"; print "vlan", $8, $6, $12; next }`,
    `    $1 == "address" && n != "" { print "addr", n, $2; next }`,
    `    $1 == "mtu" && n != "" { print "mtu", n, $2; next }' "$1"`,
    "}",
    "# sync_addrs IF DESIRED...: add the desired addresses that are missing; remove those this run",
    "# manages (managed-addrs: in the snapshot's or the candidate's files) that are not desired.",
    "# Addresses the reconciler never wrote (the kernel's link-local, 127.0.0.1) are left alone.",
    "sync_addrs() {",
    `  _if=$1; shift`,
    `  _cur=$(ip -o addr show dev "$_if" 2>/dev/null | awk '{ print $4 }')`,
    `  for _a in "$@"; do printf '%s\\n' "$_cur" | grep -qxF -- "$_a" || ip addr add "$_a" dev "$_if" || fail "ip addr add $_a dev $_if"; done`,
    `  for _a in $(awk -v i="$_if" '$1 == i { print $2 }' "$RUN/managed-addrs"); do`,
    `    _want=no; for _b in "$@"; do [ "$_a" = "$_b" ] && _want=yes; done`,
    `    if [ "$_want" = no ] && printf '%s\\n' "$_cur" | grep -qxF -- "$_a"; then ip addr del "$_a" dev "$_if" || fail "ip addr del $_a dev $_if"; fi`,
    "  done",
    "}",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// converge

export function convergeScript(runId: string, files: readonly ManagedFile[]): string {
  const L = ['. "$(dirname "$0")/lib.sh"'];
  for (const f of files) {
    const name = wireguardConfName(f.path);
    if (!name) continue;
    const n = ifname(name);
    const c = q(f.path);
    L.push(
      `# WireGuard ${n}`,
      `if [ -f ${c} ]; then`,
      `  if ! has_link ${q(n)}; then wg-quick up ${q(n)} >&2 || fail ${q(`wg-quick up ${n}`)}`,
      "  else",
      `    _t="$RUN/sync-${n}.conf"`,
      `    if ( umask 077; ${wireguardSyncInput(n, f.path)} > "$_t" ); then wg syncconf ${q(n)} "$_t" || fail ${q(`wg syncconf ${n}`)}`,
      `    else fail ${q(`wg-quick strip ${f.path}`)}; fi`,
      `    rm -f "$_t"`,
      `    sync_addrs ${q(n)} $(wg_conf_value ${c} address)`,
      `    _m=$(wg_conf_value ${c} mtu); [ -z "$_m" ] || ip link set dev ${q(n)} mtu "$_m" || fail ${q(`mtu of ${n}`)}`,
      `    ip link set dev ${q(n)} up || fail ${q(`ip link set ${n} up`)}`,
      "  fi",
      // The file is gone: delete the link if the reconciler's file defined it before this run, or
      // if it did not exist before this run (this run created it).
      `elif has_link ${q(n)} && { [ ! -f "$RUN/${snapshotRel(f)}.absent" ] || ! in_file ${q(n)} "$RUN/wg-before"; }; then`,
      `  ip link del dev ${q(n)} || fail ${q(`ip link del ${n}`)}`,
      "fi",
    );
  }
  if (files.some((f) => f.path === IFUPDOWN_CONF)) {
    L.push(
      "# interfaces (the ifupdown file is their persistent form; ifupdown itself is not used)",
      `ifup_parse ${q(IFUPDOWN_CONF)} > "$RUN/ifup-now"`,
      `for _n in $(awk '$1 == "iface" { print $2 }' "$RUN/ifup-now"); do`,
      `  _k=$(awk -v n="$_n" '$1 == "kind" && $2 == n { print $3; exit }' "$RUN/ifup-now")`,
      `  if ! has_link "$_n"; then`,
      `    case "$_k" in`,
      `      bridge | dummy) ip link add dev "$_n" type "$_k" || fail "ip link add $_n type $_k" ;;`,
      `      vlan) _v=$(awk -v n="$_n" '$1 == "vlan" && $2 == n { print $3, $4; exit }' "$RUN/ifup-now")`,
      `        ip link add link "\${_v% *}" name "$_n" type vlan id "\${_v#* }" || fail "ip link add $_n type vlan" ;;`,
      `      *) fail "interface $_n does not exist"; continue ;;`,
      "    esac",
      "  fi",
      `  _m=$(awk -v n="$_n" '$1 == "mtu" && $2 == n { print $3; exit }' "$RUN/ifup-now")`,
      `  [ -z "$_m" ] || ip link set dev "$_n" mtu "$_m" || fail "mtu of $_n"`,
      `  sync_addrs "$_n" $(awk -v n="$_n" '$1 == "addr" && $2 == n { print $3 }' "$RUN/ifup-now")`,
      `  ip link set dev "$_n" up || fail "ip link set $_n up"`,
      "done",
      "# interfaces this run manages that the file no longer declares",
      `for _n in $(cat "$RUN/ifup-snapshot" "$RUN/ifup-candidate" | awk '$1 == "iface" { print $2 }' | sort -u); do`,
      `  in_file "iface $_n" "$RUN/ifup-now" && continue`,
      `  has_link "$_n" || continue`,
      `  _k=$(cat "$RUN/ifup-snapshot" "$RUN/ifup-candidate" | awk -v n="$_n" '$1 == "kind" && $2 == n { print $3; exit }')`,
      `  if [ -z "$_k" ]; then sync_addrs "$_n"`,
      // A link the reconciler creates: deleted if the reconciler's file had it before this run, or
      // if it did not exist before this run.
      `  elif in_file "iface $_n" "$RUN/ifup-snapshot" || ! in_file "$_n" "$RUN/links-before"; then`,
      `    ip link del dev "$_n" || fail "ip link del $_n"`,
      "  fi",
      "done",
    );
  }
  if (files.some((f) => f.path === SYSCTL_CONF)) {
    // Decision: when the file is absent, the values from before this run come back (a commit that
    // removes the file thus changes nothing running; a revert puts back what was there).
    L.push(
      "# forwarding",
      `if [ -f ${q(SYSCTL_CONF)} ]; then sysctl -q -p ${q(SYSCTL_CONF)} >/dev/null || fail ${q(`sysctl -p ${SYSCTL_CONF}`)}`,
      `else sysctl -q -p "$RUN/sysctl-before" >/dev/null || fail "sysctl -p sysctl-before"; fi`,
    );
  }
  if (files.some((f) => f.path === BIRD_CONF)) {
    L.push(
      "# bird: 0003 Reconfigured, 0004/0005 reconfiguration in progress/queued, 0019 Nothing to do",
      `if [ -f ${q(BIRD_CONF)} ]; then`,
      "  _o=$(birdc -v configure 2>&1)",
      `  printf '%s\\n' "$_o" | grep -Eq '^(0003|0004|0005|0019) ' || fail "birdc configure: $_o"`,
      "fi",
    );
  }
  if (files.some((f) => f.path === FRR_CONF)) {
    L.push(
      "# FRR: the delta between the running configuration and the file",
      `if [ -f ${q(FRR_CONF)} ]; then`,
      `  _o=$(${q(FRR_RELOAD)} --reload ${q(FRR_CONF)} 2>&1) || fail "frr-reload.py --reload: $_o"`,
      "fi",
    );
  }
  L.push(
    `if [ "$ERRORS" -ne 0 ]; then echo "converge: $ERRORS step(s) failed" >&2; exit 1; fi`,
    "exit 0",
    "",
  );
  void runId;
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// commit, revert, timer

export function commitScript(files: readonly ManagedFile[]): string {
  const L = ['. "$(dirname "$0")/lib.sh"', `date +%s > "$RUN/committed-at"`];
  if (files.some((f) => f.content !== null && f.path.startsWith(`${BIRD_SECRET_DIR}/`)))
    L.push(`ensure_dir ${q(BIRD_SECRET_DIR)} 750 root:bird || fail ${q(`mkdir ${BIRD_SECRET_DIR}`)}`);
  for (const f of files) {
    if (f.content === null) L.push(`rm -f ${q(f.path)} || fail ${q(`rm ${f.path}`)}`);
    else
      L.push(
        `ensure_dir ${q(f.path.slice(0, f.path.lastIndexOf("/")))} ${f.path.startsWith("/etc/wireguard/") ? "700" : "755"} root:root || fail ${q(`mkdir for ${f.path}`)}`,
        `install_file "$RUN/${candidateRel(f)}" ${q(f.path)} ${q(f.mode)} ${q(f.owner)} || fail ${q(`could not write ${f.path}`)}`,
      );
  }
  L.push(
    `if [ "$ERRORS" -ne 0 ]; then echo "commit: $ERRORS file(s) could not be written" >&2; exit 3; fi`,
    `sh "$RUN/converge.sh"; _rc=$?`,
    // The tunnels' receive counters once the commit took effect: the health gate counts only
    // packets received after this as proof that a tunnel works (see health.ts).
    `wg show all transfer > "$RUN/transfer-at-commit" 2>/dev/null || : > "$RUN/transfer-at-commit"`,
    `exit "$_rc"`,
    "",
  );
  return L.join("\n");
}

/** revert.sh MODE [TIMEOUT]: MODE timer (writes the notice) or now. */
export function revertScript(runId: string, files: readonly ManagedFile[]): string {
  const notice = `${NOTICE_DIR}/${assertRunId(runId)}`;
  const L = ['. "$(dirname "$0")/lib.sh"'];
  for (const f of files)
    L.push(`restore_file "$RUN/${snapshotRel(f)}" ${q(f.path)} || fail ${q(`could not restore ${f.path}`)}`);
  L.push(
    `sh "$RUN/converge.sh" > "$RUN/converge.log" 2>&1 || ERRORS=$((ERRORS + 1))`,
    `: > "$RUN/reverted"`,
    // The candidate holds the new secrets; the snapshot copies are in place again.
    `[ "$ERRORS" -ne 0 ] || rm -rf "$RUN/candidate" "$RUN/snapshot"`,
    `rm -rf "$RUN/candidate"`,
    `if [ "$1" = timer ]; then`,
    `  mkdir -p ${q(NOTICE_DIR)}`,
    `  _x=""; [ "$ERRORS" -eq 0 ] || _x=" (with errors: see $RUN/converge.log)"`,
    `  printf 'run %s was not confirmed within %s s: the device reverted by itself at %s%s\\n' ${q(runId)} "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$_x" > ${q(`${notice}.tmp`)}`,
    `  mv -f ${q(`${notice}.tmp`)} ${q(notice)}`,
    // The run that held the lock is over (its reconciler is gone): free the device for the next.
    ...releaseIfOursLines(DEBIAN_LAYOUT, runId).map((line) => `  ${line}`),
    'else cat "$RUN/converge.log"; fi',
    `[ "$ERRORS" -eq 0 ]`,
    "",
  );
  return L.join("\n");
}

export function timerScript(): string {
  return [
    "trap '' HUP",
    'RUN=$(dirname "$0")',
    'echo $$ > "$RUN/timer.pid"',
    // The deadline (epoch seconds, device clock) is a file, so that rearm can move it: the
    // confirm timeout counts from the wave's last commit, not from this device's arm. Arm and
    // rearm write now + timeout + 1, so that whole-second clocks never fire early.
    "while :; do",
    `  _d=$(cat "$RUN/deadline" 2>/dev/null); case "$_d" in "" | *[!0-9]*) _d=0 ;; esac`,
    `  [ "$(date +%s)" -ge "$_d" ] && break`,
    "  sleep 1",
    "done",
    // Whoever renames "armed" first wins: the timer here, confirm or rollback there.
    'mv "$RUN/armed" "$RUN/reverting" 2>/dev/null || exit 0',
    'exec sh "$RUN/revert.sh" timer "$1"',
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// stage

export type StageUpload = Upload;

/** Runs kept on a device for inspection (their records and logs; never candidates). */
export const KEEP_RUNS = 20;

/**
 * Other runs' leftovers, removed while this run holds the lock (so no other run is in progress,
 * except one whose revert timer is pending: those are left alone). Candidates and snapshot copies
 * of ended runs go at once (they may hold secrets); whole run directories beyond the newest
 * KEEP_RUNS go too.
 */
function pruneLines(runId: string): string[] {
  return [
    `for _o in $(ls -1 ${q(RUNS_DIR)} 2>/dev/null); do`,
    `  _od=${q(RUNS_DIR)}/"$_o"; [ "$_o" = ${q(assertRunId(runId))} ] && continue`,
    `  [ -e "$_od/armed" ] || [ -e "$_od/reverting" ] && continue`,
    `  rm -rf "$_od/candidate" "$_od/snapshot" "$_od/check"; find "$_od" -maxdepth 1 -name 'sync-*.conf' -delete`,
    "done",
    // Run ids sort by time: the oldest beyond KEEP_RUNS are removed whole (never a pending one).
    `for _o in $(ls -1 ${q(RUNS_DIR)} 2>/dev/null | sort -r | tail -n +${KEEP_RUNS + 1}); do`,
    `  _od=${q(RUNS_DIR)}/"$_o"; [ -e "$_od/armed" ] || [ -e "$_od/reverting" ] || rm -rf "$_od"`,
    "done",
  ];
}

/**
 * Receives the uploads, snapshots the live files on the device, validates the candidate with
 * bird -p, vtysh --dryrun and wg-quick strip, and records what exists before the commit. On a
 * rejection the run directory is removed again (it holds secrets) and nothing else changed.
 */
export function stageScript(
  runId: string,
  files: readonly ManagedFile[],
  uploads: readonly StageUpload[],
  nonce: string,
): string {
  const R = runDir(runId);
  const L = [
    ...prelude(runId),
    ...sectionFunctions(nonce),
    `if [ -e "$RUN/armed" ] || [ -e "$RUN/committed-at" ]; then echo '@@already-committed'; exit 9; fi`,
    `mkdir -p ${q(RUNS_DIR)} && chmod 700 ${q(STATE_DIR)} || exit 2`,
    ...pruneLines(runId),
    `rm -rf "$RUN" && mkdir -p "$RUN/snapshot" "$RUN/check/secrets" || exit 2`,
  ];
  L.push("_bad=0", ...uploadLines(uploads, nonce));
  L.push(`[ "$_bad" = 0 ] || { echo '@@upload-failed'; rm -rf "$RUN"; exit 2; }`, '. "$RUN/lib.sh"');
  // Snapshot on the device: the copies the revert restores byte for byte.
  for (const f of files)
    L.push(
      `if [ -e ${q(f.path)} ]; then cp -p ${q(f.path)} "$RUN/${snapshotRel(f)}" || _bad=1; else : > "$RUN/${snapshotRel(f)}.absent"; fi`,
    );
  L.push(`[ "$_bad" = 0 ] || { echo '@@snapshot-failed'; rm -rf "$RUN"; exit 2; }`, "_rej=0");
  // Validation against the candidate copies.
  const bird = files.find((f) => f.path === BIRD_CONF && f.content !== null);
  if (bird) {
    L.push(
      `sed "s|\\"${BIRD_SECRET_DIR}/|\\"$RUN/check/secrets/|g" "$RUN/${candidateRel(bird)}" > "$RUN/check/bird.conf"`,
    );
    for (const f of files.filter((x) => x.secret && x.content !== null))
      L.push(`cp "$RUN/${candidateRel(f)}" "$RUN/check/secrets/"${q(base(f.path))}`);
    L.push(
      `_o=$(bird -p -c "$RUN/check/bird.conf" 2>&1); _rc=$?; [ "$_rc" = 0 ] || _rej=1`,
      `begin check:bird; printf '%s' "$_o" | sed -e "s|$RUN/check/secrets/|${BIRD_SECRET_DIR}/|g" -e "s|$RUN/check/bird.conf|${BIRD_CONF}|g"; end check:bird "$_rc"`,
    );
  }
  const frr = files.find((f) => f.path === FRR_CONF && f.content !== null);
  if (frr)
    L.push(
      `_o=$(vtysh --dryrun -f "$RUN/${candidateRel(frr)}" 2>&1); _rc=$?; [ "$_rc" = 0 ] || _rej=1`,
      `begin check:frr; printf '%s' "$_o"; end check:frr "$_rc"`,
    );
  for (const f of files) {
    const n = wireguardConfName(f.path);
    if (!n || f.content === null) continue;
    L.push(
      `_o=$(wg-quick strip "$RUN/${candidateRel(f)}" 2>&1 >/dev/null); _rc=$?; [ "$_rc" = 0 ] || _rej=1`,
      `begin ${q(`check:wg:${n}`)}; printf '%s' "$_o"; end ${q(`check:wg:${n}`)} "$_rc"`,
    );
  }
  L.push(`if [ "$_rej" != 0 ]; then rm -rf "$RUN"; echo '@@rejected'; exit 0; fi`, `rm -rf "$RUN/check"`);
  // What exists before the commit, and what this run manages.
  const ifup = files.find((f) => f.path === IFUPDOWN_CONF);
  L.push(
    `wg show interfaces 2>/dev/null | tr ' ' '\\n' | sed '/^$/d' > "$RUN/wg-before"`,
    `ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' > "$RUN/links-before"`,
    `printf 'net.ipv4.ip_forward = %s\\nnet.ipv6.conf.all.forwarding = %s\\n' "$(sysctl -n net.ipv4.ip_forward)" "$(sysctl -n net.ipv6.conf.all.forwarding)" > "$RUN/sysctl-before"`,
    `: > "$RUN/ifup-snapshot"; : > "$RUN/ifup-candidate"`,
  );
  if (ifup) {
    L.push(`ifup_parse "$RUN/${snapshotRel(ifup)}" > "$RUN/ifup-snapshot"`);
    if (ifup.content !== null) L.push(`ifup_parse "$RUN/${candidateRel(ifup)}" > "$RUN/ifup-candidate"`);
  }
  L.push("{", `  awk '$1 == "addr" { print $2, $3 }' "$RUN/ifup-snapshot" "$RUN/ifup-candidate"`);
  for (const f of files) {
    const n = wireguardConfName(f.path);
    if (!n) continue;
    L.push(`  wg_conf_value "$RUN/${snapshotRel(f)}" address | sed ${q(`s/^/${ifname(n)} /`)}`);
    if (f.content !== null)
      L.push(`  wg_conf_value "$RUN/${candidateRel(f)}" address | sed ${q(`s/^/${ifname(n)} /`)}`);
  }
  L.push(`} | sort -u > "$RUN/managed-addrs"`, "echo '@@staged'", "");
  void R;
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// arm, confirm, rollback

export function armScript(runId: string, timeoutS: number): string {
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 86_400)
    throw new Error(`a revert timeout must be 1..86400 whole seconds, not ${timeoutS}`);
  return [
    ...prelude(runId),
    `[ -f "$RUN/timer.sh" ] && [ -d "$RUN/snapshot" ] || { echo '@@not-staged'; exit 2; }`,
    `rm -f "$RUN/timer.pid"; echo $(( $(date +%s) + ${timeoutS} + 1 )) > "$RUN/deadline" && : > "$RUN/armed" || { echo '@@no-timer'; exit 3; }`,
    // Where systemd runs, the timer is a transient unit: logind may kill everything a closing SSH
    // session started (KillUserProcesses=yes), but not a unit of the system manager. Elsewhere
    // (the lab has no systemd) setsid gives it its own session, so neither the SSH channel's end
    // nor a hangup reaches it. Either way every standard stream is redirected, so the channel can
    // close at once, and the timer writes its pid, which confirm and rollback kill. KillMode=process:
    // what the revert starts and leaves running (wireguard-go under wg-quick up) must outlive the
    // unit, which by default takes its whole cgroup down when it ends.
    `if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then`,
    `  systemd-run --quiet --collect --unit=${q(`reconciler-revert-${assertRunId(runId)}`)} -p KillMode=process -p StandardOutput=${q(`file:${runDir(runId)}/timer.log`)} -p StandardError=inherit sh "$RUN/timer.sh" ${timeoutS} < /dev/null > /dev/null 2>&1 || { echo '@@no-timer'; exit 3; }`,
    "else",
    `  setsid sh "$RUN/timer.sh" ${timeoutS} < /dev/null > "$RUN/timer.log" 2>&1 &`,
    "fi",
    `_i=0; while [ ! -s "$RUN/timer.pid" ] && [ "$_i" -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done`,
    `[ -s "$RUN/timer.pid" ] || { echo '@@no-timer'; exit 3; }`,
    `printf '@@armed %s\\n' "$(cat "$RUN/timer.pid")"`,
    "",
  ].join("\n");
}

const killTimer = [
  `if [ -s "$RUN/timer.pid" ]; then _p=$(cat "$RUN/timer.pid")`,
  `  case "$_p" in *[!0-9]* | "") ;; *) kill -s TERM -- "-$_p" 2>/dev/null || kill -s TERM "$_p" 2>/dev/null ;; esac`,
  "fi",
];

/** Moves the revert deadline to timeoutS from now; refused when the timer already fired. */
export function rearmScript(runId: string, timeoutS: number): string {
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 86_400)
    throw new Error(`a revert timeout must be 1..86400 whole seconds, not ${timeoutS}`);
  return [
    ...prelude(runId),
    `[ -e "$RUN/armed" ] || { echo '@@not-armed'; cat ${q(`${NOTICE_DIR}/${runId}`)} 2>/dev/null; exit 4; }`,
    `echo $(( $(date +%s) + ${timeoutS} + 1 )) > "$RUN/deadline.tmp" && mv -f "$RUN/deadline.tmp" "$RUN/deadline" || exit 3`,
    "echo '@@rearmed'",
    "",
  ].join("\n");
}

/** The staged candidate will not be committed: its run directory goes (it may hold secrets). */
export function abandonScript(runId: string): string {
  return [
    ...prelude(runId),
    `if [ -e "$RUN/armed" ] || [ -e "$RUN/committed-at" ]; then echo '@@committed'; exit 4; fi`,
    `rm -rf "$RUN" && echo '@@abandoned'`,
    "",
  ].join("\n");
}

export function confirmScript(runId: string, time: string): string {
  return [
    ...prelude(runId),
    `[ -d "$RUN" ] || { echo '@@no-run'; exit 2; }`,
    `if ! mv "$RUN/armed" "$RUN/confirmed" 2>/dev/null; then`,
    `  if [ -e "$RUN/reverting" ] || [ -e "$RUN/reverted" ]; then echo '@@reverted'; cat ${q(`${NOTICE_DIR}/${runId}`)} 2>/dev/null; exit 4; fi`,
    "fi",
    ...killTimer,
    `rm -rf "$RUN/snapshot" "$RUN/candidate"`,
    // Decision: notices stay until an apply is confirmed on the device; this confirm clears them.
    // (The prelude's set -f disables globbing, so no `rm DIR/*` here.)
    `[ ! -d ${q(NOTICE_DIR)} ] || find ${q(NOTICE_DIR)} -mindepth 1 -maxdepth 1 -type f -delete`,
    `printf 'run=%s\\nconfirmed=%s\\n' ${q(runId)} ${q(time)} > "$RUN/record"`,
    "echo '@@confirmed'",
    "",
  ].join("\n");
}

export function rollbackScript(runId: string): string {
  return [
    ...prelude(runId),
    `[ -e "$RUN/reverted" ] && { echo '@@already-reverted'; exit 0; }`,
    `[ -d "$RUN/snapshot" ] || { echo '@@no-snapshot'; exit 2; }`,
    `mv "$RUN/armed" "$RUN/reverting" 2>/dev/null`,
    ...killTimer,
    `sh "$RUN/revert.sh" now; _rc=$?`,
    `echo "@@rolled-back $_rc"`,
    `exit "$_rc"`,
    "",
  ].join("\n");
}
