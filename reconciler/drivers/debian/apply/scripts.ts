// Pure: what of the apply protocol's scripts is Debian's own; the kit (drivers/kit) writes the
// rest (framing, lock, upload, snapshot and restore, the revert timer, the run directory). Every
// value is quoted with shQuote (names and paths are also checked against strict patterns first);
// file contents travel only inside the stage script, as base64 here-documents (kit/upload.ts),
// which goes over stdin: never in argv.
//
// Debian supplies:
// - lib.sh's helpers: parsers of wg-quick and ifupdown files, sync_addrs;
// - converge.sh: makes the running state follow the managed files as they are in place: WireGuard
//   (wg-quick up / wg syncconf + addresses + MTU / ip link del), the ifupdown interfaces (create
//   bridges/dummies/VLANs, add and remove addresses, MTU, delete links the reconciler created and
//   no longer wants), sysctl, `birdc configure`, `frr-reload.py --reload`; it runs every step even
//   when one fails and exits non-zero when any did;
// - the validators of stage (bird -p, vtysh --dryrun, wg-quick strip) and what it records before
//   the commit (links, tunnels, sysctls, the interfaces and addresses this run manages);
// - commit.sh's extras: the bird secrets directory before, the tunnels' counters after.
import { shQuote as q } from "../../../transport/quote.ts";
import { candidateRel, snapshotRel } from "../../kit/files.ts";
import * as kit from "../../kit/run-scripts.ts";
import type { Upload } from "../../kit/upload.ts";
import { TRANSFER_AT_COMMIT_LINE } from "../../kit/wireguard-health.ts";
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
import { DEBIAN_LAYOUT, PATH_LINE } from "./layout.ts";

export { candidateRel, snapshotRel } from "../../kit/files.ts";

export const FRR_RELOAD = "/usr/lib/frr/frr-reload.py";

const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);

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
  return kit.libScript(DEBIAN_LAYOUT, runId, [
    'has_link() { ip link show dev "$1" >/dev/null 2>&1; }',
    'in_file() { [ -f "$2" ] && grep -qxF -- "$1" "$2"; }',
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
  ]);
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
// commit, revert

export function commitScript(files: readonly ManagedFile[]): string {
  const before = files.some((f) => f.content !== null && f.path.startsWith(`${BIRD_SECRET_DIR}/`))
    ? [`ensure_dir ${q(BIRD_SECRET_DIR)} 750 root:bird || fail ${q(`mkdir ${BIRD_SECRET_DIR}`)}`]
    : [];
  const after = [TRANSFER_AT_COMMIT_LINE];
  const commitFiles = files.map((f) => ({
    ...f,
    dirMode: f.path.startsWith("/etc/wireguard/") ? "700" : "755",
  }));
  return kit.commitScript(commitFiles, { before, after });
}

/** revert.sh MODE [TIMEOUT]: MODE timer (writes the notice) or now. */
export function revertScript(runId: string, files: readonly ManagedFile[]): string {
  return kit.revertScript(DEBIAN_LAYOUT, runId, files);
}

// ---------------------------------------------------------------------------------------------
// stage

export type StageUpload = Upload;

/** bird -p, vtysh --dryrun and wg-quick strip against the candidate copies, one section each. */
function validateLines(files: readonly ManagedFile[]): string[] {
  const L: string[] = [];
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
  return L;
}

/** What exists before the commit, and what this run manages. */
function recordLines(files: readonly ManagedFile[]): string[] {
  const L: string[] = [];
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
  L.push(`} | sort -u > "$RUN/managed-addrs"`);
  return L;
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
  /** A restore run: the lines that copy its candidates from the old run's snapshot (kit/restore.ts). */
  copies?: readonly string[],
): string {
  return kit.stageScript({
    layout: DEBIAN_LAYOUT,
    runId,
    nonce,
    uploads,
    ...(copies ? { copies } : {}),
    files,
    checkDirs: ["check/secrets"],
    validate: validateLines(files),
    record: recordLines(files),
  });
}
