// The device-side scripts of an OPNsense run. config.xml is written the way OPNsense saves it:
// under its lock (OPNsense's Config.php flock()s config.xml itself; FreeBSD's lockf(1) takes the
// same lock), the current file first copied to /conf/backup/config-<epoch>.<fraction>.xml, the
// <revision> rewritten, and the file rewritten in place (same inode: a GUI process waiting on the
// lock then sees our file, never an unlinked one). Before writing, the file must still be the one
// the candidate was made from (compare-and-swap on its redacted text): a save from the GUI or the
// API in between is never overwritten, the run stops and asks for a new plan. Pure.
import { shQuote as q } from "../../../transport/quote.ts";
import { candidateRel, type RunFile } from "../../kit/files.ts";
import type { OpnsenseService } from "../driver.ts";
import { CONFIG_XML } from "../paths.ts";
import { REDACT_CONFIG_AWK } from "../read-script.ts";
import { KEY_DIR } from "./keys.ts";
import { BACKUP_DIR } from "./layout.ts";

/** The services a change reloads (the opnsense driver's affectedServices). */
export type Service = OpnsenseService;

/** How long a script waits for OPNsense's config lock before giving up (seconds). */
const LOCK_WAIT_S = 60;

/** OPNsense's own helpers, appended to the kit's lib.sh (`config` and `keyDir`: where they are). */
export function opnsenseHelpers(
  runId: string,
  where: { config: string; keyDir: string; backupDir: string } = {
    config: CONFIG_XML,
    keyDir: KEY_DIR,
    backupDir: BACKUP_DIR,
  },
): string[] {
  const c = q(where.config);
  const b = where.backupDir;
  return [
    `redact_config() { ${REDACT_CONFIG_AWK}; }`,
    "# config_unchanged: config.xml is still the file the candidate was made from (as redacted)",
    `config_unchanged() { redact_config < ${c} | awk 1 > "$RUN/now.xml" && awk 1 "$RUN/expected.xml" | cmp -s - "$RUN/now.xml"; _r=$?; rm -f "$RUN/now.xml"; return $_r; }`,
    "# fill_secrets SRC DST: the device's secrets in place of their tokens",
    `fill_secrets() { awk -v keydir=${q(where.keyDir)} -f "$RUN/fill-secrets.awk" ${c} "$1" > "$2"; }`,
    "# with_config_lock CMD...: CMD under OPNsense's lock on config.xml (lockf(1), as on FreeBSD)",
    `with_config_lock() { command -v lockf >/dev/null 2>&1 || { echo 'no lockf(1) on this box' >&2; return 1; }; lockf -k -t ${LOCK_WAIT_S} ${c} "$@"; }`,
    "# backup_config: the current config.xml into /conf/backup, named as OPNsense names its backups",
    `backup_config() { mkdir -p ${q(b)} && cp -p ${c} ${q(b)}"/config-$(date +%s).$(awk 'BEGIN { srand(); printf "%04d", int(rand() * 10000) }').xml"; }`,
    "# stamp_revision SRC DST: <revision> rewritten as a save by the reconciler (added when absent)",
    `stamp_revision() { awk -v t="$(date +%s).00" -v d=${q(`reconciler run ${runId}`)} '${STAMP_AWK}' "$1" "$1" > "$2"; }`,
  ];
}

/** Rewrites username, time and description inside <revision>, or appends the block last (as Config.php). */
const STAMP_AWK = [
  'function block(ind) { return ind "<revision>\\n" ind "  <username>reconciler</username>\\n" ind "  <time>" t "</time>\\n" ind "  <description>" d "</description>\\n" ind "</revision>" }',
  "FNR == NR { if ($0 ~ /<revision[ >\\/]/) has = 1; next }",
  '!has && /<\\/opnsense>/ { match($0, /^[ \\t]*/); print block(substr($0, 1, RLENGTH) "  ") }',
  "/<revision\\/>/ { match($0, /^[ \\t]*/); print block(substr($0, 1, RLENGTH)); next }",
  "/<revision>/ { inrev = 1 }",
  'inrev && /<username>/ { sub(/<username>.*<\\/username>/, "<username>reconciler</username>") }',
  'inrev && /<time>/ { sub(/<time>.*<\\/time>/, "<time>" t "</time>") }',
  'inrev && /<description>/ { sub(/<description>.*<\\/description>/, "<description>" d "</description>") }',
  "/<\\/revision>/ { inrev = 0 }",
  "{ print }",
]
  .join("\n")
  // The program is one single-quoted shell word; its own quotes never include a '.
  .replace(/'/g, "");

/** write-config.sh, run under the config lock at commit: compare, fill, stamp, back up, write. */
export function writeConfigScript(candidate: RunFile, config = CONFIG_XML): string {
  const c = q(config);
  return [
    '. "$(dirname "$0")/lib.sh"',
    `config_unchanged || { echo 'config.xml was saved by someone else since it was read (the GUI, the API?): nothing written; plan again' >&2; exit 5; }`,
    `fill_secrets "$RUN/${candidateRel(candidate)}" "$RUN/candidate/filled.xml" || exit 6`,
    `stamp_revision "$RUN/candidate/filled.xml" "$RUN/candidate/final.xml" || exit 6`,
    `rm -f "$RUN/candidate/filled.xml"`,
    "backup_config || { echo 'could not back config.xml up in /conf/backup: nothing written' >&2; exit 6; }",
    `cat "$RUN/candidate/final.xml" > ${c} || { echo 'writing config.xml failed' >&2; exit 7; }`,
    `: > "$RUN/written"`,
    "",
  ].join("\n");
}

/**
 * restore-config.sh, under the config lock at revert: the snapshot back, only if this run wrote
 * config.xml. If someone saved after this run's commit, that save is not lost: backup_config
 * keeps it in /conf/backup (and the revert says so).
 */
export function restoreConfigScript(config = CONFIG_XML): string {
  const c = q(config);
  return [
    '. "$(dirname "$0")/lib.sh"',
    `[ -e "$RUN/written" ] || { echo 'config.xml: this run wrote nothing, nothing to restore'; exit 0; }`,
    `[ ! -f "$RUN/candidate/final.xml" ] || cmp -s ${c} "$RUN/candidate/final.xml" || echo "config.xml was saved by someone else after this run's commit: that version is kept in ${BACKUP_DIR}" >&2`,
    "backup_config || exit 6",
    `cat "$RUN/snapshot/0" > ${c} || exit 7`,
    `rm -f "$RUN/written"`,
    "",
  ].join("\n");
}

/** The service actions, in OPNsense's own configd names (actions_*.conf). */
const ACTIONS: Record<Service, string[][]> = {
  wireguard: [
    ["template", "reload", "OPNsense/Wireguard"],
    ["wireguard", "configure"],
  ],
  quagga: [
    ["template", "reload", "OPNsense/Quagga"],
    ["quagga", "restart"],
  ],
  interfaces: [["interface", "loopback", "configure"]],
  filter: [["filter", "reload"]],
  routes: [["interface", "routes", "configure"]],
};

/** converge.sh: the running services follow config.xml, only those the change touches. */
export function convergeScript(services: readonly Service[]): string {
  const L = ['. "$(dirname "$0")/lib.sh"'];
  for (const s of [...new Set(services)].sort())
    for (const a of ACTIONS[s]) {
      const words = a.map((w) => q(w)).join(" ");
      // configctl exits 0 whatever configd answers (configd_ctl.py): the answer is the proof. These
      // actions answer OK; an unknown one "Action not allowed or missing", a failed script
      // "Error (N)", a template that generated nothing "ERR".
      L.push(
        `_o=$(configctl ${words} 2>&1); _rc=$?`,
        `[ "$_rc" = 0 ] && [ "$(printf '%s\n' "$_o" | awk 'NF { l = $0 } END { print l }')" = OK ] || fail ${q(`configctl ${a.join(" ")}`)}": $_o"`,
      );
    }
  L.push(`[ "$ERRORS" -eq 0 ]`, "");
  return L.join("\n");
}

/** The stage's checks: the file is still the one read, and every secret token resolves. */
export function validateLines(candidate: RunFile): string[] {
  return [
    "begin check:unchanged",
    `if config_unchanged; then _rc=0; else _rc=1; _rej=1; echo 'config.xml was saved by someone else since it was read (the GUI, the API?): plan again'; fi`,
    "end check:unchanged $_rc",
    "begin check:secrets",
    `if fill_secrets "$RUN/${candidateRel(candidate)}" "$RUN/check/filled.xml" 2>&1; then _rc=0; else _rc=1; _rej=1; fi; rm -f "$RUN/check/filled.xml"`,
    "end check:secrets $_rc",
  ];
}
