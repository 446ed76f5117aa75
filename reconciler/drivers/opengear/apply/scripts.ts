// The device-side scripts of an Opengear run. Pure.
// - commands.sh: the run's ogcli commands in order, stopping at the first that fails (ogcli
//   applies each to the running system as it goes, and `restore`/`import` are not atomic, so
//   nothing after a failure may run); `done` counts what completed.
// - the restore of revert.sh: the whole store back (ngcs.db copied aside at stage and back now,
//   as opengear/ogcli-restore-rollback does around `ogcli restore`), then `ogcli restore` of the
//   export taken at the same moment so that every service follows the restored store, then the
//   byte-identical copy once more (restore may have rewritten the file with the same content);
//   a Tailscale login this run made is logged out.
// - the stage's checks: ogcli present, the store file present (no whole-store snapshot, no apply),
//   the store unchanged since the read, every device key resolvable, no placeholder left.
import type { PlannedCommand } from "../../../model/live.ts";
import { shQuote as q } from "../../../transport/quote.ts";
import { redactFunction } from "../read-script.ts";
import { KEY_DIR, STORE_DB } from "./layout.ts";

const DEVICE_KEY = /@device-key:([A-Za-z0-9_.-]{1,64})@/;

/** The run's ogcli commands as one script (device keys still as tokens: fill_keys resolves them). */
export function commandsScript(commands: readonly PlannedCommand[]): string {
  const L = ['RUN=$(cd "$(dirname "$0")/.." && pwd) || exit 2', `: > "$RUN/done"`];
  commands.forEach((c, i) => {
    const n = i + 1;
    L.push(`# ${n}/${commands.length}: ${c.description.replace(/\n/g, " ")}`);
    if (/^tailscale up\b/.test(c.line)) L.push(`: > "$RUN/tailscale-up"`);
    L.push(
      c.line,
      `_rc=$?; if [ "$_rc" != 0 ]; then printf 'command %s of %s failed (status %s): %s\\n' ${n} ${commands.length} "$_rc" ${q(c.description)} >&2; exit 1; fi`,
      `echo ${n} > "$RUN/done"`,
    );
  });
  L.push("");
  return L.join("\n");
}

/** lib.sh helpers: the export redaction, and the device keys filled into the commands. */
export function opengearHelpers(): string[] {
  return [
    redactFunction(),
    "# store_unchanged: the store, exported and redacted now, is still the one the candidate was made from",
    `store_unchanged() { ogcli export "$RUN/now.export" > /dev/null 2>&1 || { rm -f "$RUN/now.export"; return 2; }; redact_export < "$RUN/now.export" | awk 1 > "$RUN/now.redacted"; rm -f "$RUN/now.export"; awk 1 "$RUN/expected.export" | cmp -s - "$RUN/now.redacted"; _r=$?; rm -f "$RUN/now.redacted"; return $_r; }`,
    "# fill_keys SRC DST: every @device-key:NAME@ replaced by the private key the box generated for NAME",
    `fill_keys() { awk -v dir=${q(KEY_DIR)} '{ line = $0; out = ""
  while (match(line, /@device-key:[A-Za-z0-9_.-]+@/)) {
    name = substr(line, RSTART + 12, RLENGTH - 13); f = dir "/" name ".key"; k = ""
    if ((getline k < f) <= 0 || k == "") { print "no private key for " name " in " dir ": run reconciler keys first" > "/dev/stderr"; exit 3 }
    close(f); out = out substr(line, 1, RSTART - 1) k; line = substr(line, RSTART + RLENGTH)
  }
  print out line }' "$1" > "$2"; }`,
  ];
}

/** The stage's validators (lib.sh loaded): each a check:<what> section; _rej=1 when it refuses. */
export function validateLines(): string[] {
  return [
    "begin check:ogcli",
    `if command -v ogcli >/dev/null 2>&1; then _rc=0; else _rc=1; _rej=1; echo 'no ogcli on this box'; fi`,
    "end check:ogcli $_rc",
    "begin check:store",
    `if [ -f ${q(STORE_DB)} ]; then _rc=0; else _rc=1; _rej=1; echo ${q(`${STORE_DB} is not there: without a copy of the whole store no change is made`)}; fi`,
    "end check:store $_rc",
    "begin check:unchanged",
    `if store_unchanged; then _rc=0; else _rc=1; _rej=1; echo 'the store changed since it was read (the web UI, Lighthouse, another ogcli?): plan again'; fi`,
    "end check:unchanged $_rc",
    "begin check:keys",
    `if fill_keys "$RUN/candidate/commands.in" "$RUN/candidate/commands.sh" 2>&1; then _rc=0; else _rc=1; _rej=1; fi`,
    "end check:keys $_rc",
    "begin check:placeholders",
    `if grep -q '@secret:' "$RUN/candidate/commands.sh" 2>/dev/null; then _rc=1; _rej=1; echo 'a secret placeholder was left unfilled'; else _rc=0; fi`,
    "end check:placeholders $_rc",
  ];
}

/** After validation: the export that revert restores through, taken with the byte copy of the store. */
export function recordLines(): string[] {
  return [
    `ogcli export "$RUN/snapshot/export" > /dev/null 2>&1 || { echo '@@snapshot-failed'; rm -rf "$RUN"; exit 2; }`,
  ];
}

/** commit.sh's install: the commands, stopping at the first failure. */
export const installLines = [
  `sh "$RUN/candidate/commands.sh" || fail 'the ogcli commands stopped at the first failure (above); the revert puts the whole store back'`,
];

/** revert.sh's restore (lib.sh loaded; failures counted with fail). */
export function restoreLines(): string[] {
  const db = q(STORE_DB);
  return [
    `restore_file "$RUN/snapshot/0" ${db} || fail 'could not put the store back'`,
    `if [ -f "$RUN/snapshot/export" ]; then ogcli restore "$RUN/snapshot/export" > "$RUN/restore.log" 2>&1 || fail "ogcli restore of the saved export reported errors (see $RUN/restore.log)"; fi`,
    `restore_file "$RUN/snapshot/0" ${db} || fail 'could not put the store back after ogcli restore'`,
    `if [ -e "$RUN/tailscale-up" ]; then tailscale down > /dev/null 2>&1 || fail 'tailscale down'; rm -f "$RUN/tailscale-up"; fi`,
  ];
}

export const converge = () =>
  [
    '. "$(dirname "$0")/lib.sh"',
    "# ogcli applied each change as it was made: nothing to reload",
    "exit 0",
    "",
  ].join("\n");

export { DEVICE_KEY };
