// The detached revert timer and the race it runs against confirm and rollback. Arm starts
// timer.sh apart from the SSH session; it sleeps until the deadline file says, then renames
// "armed" to "reverting" and runs revert.sh. Confirm renames "armed" to "confirmed", rollback to
// "reverting": mv is atomic, so exactly one of them wins, and the losers see who did. Pure.
import { shQuote as q } from "../../transport/quote.ts";
import { assertRunId, type DeviceLayout, noticeDir, prelude, runDir } from "./layout.ts";
import { markUndoneLines } from "./restore.ts";

function assertTimeout(timeoutS: number): number {
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 86_400)
    throw new Error(`a revert timeout must be 1..86400 whole seconds, not ${timeoutS}`);
  return timeoutS;
}

/** timer.sh TIMEOUT, in the run directory: the timer itself. */
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

export function armScript(l: DeviceLayout, runId: string, timeoutS: number): string {
  const t = assertTimeout(timeoutS);
  return [
    ...prelude(l, runId),
    `[ -f "$RUN/timer.sh" ] && [ -d "$RUN/snapshot" ] || { echo '@@not-staged'; exit 2; }`,
    `rm -f "$RUN/timer.pid"; echo $(( $(date +%s) + ${t} + 1 )) > "$RUN/deadline" && : > "$RUN/armed" || { echo '@@no-timer'; exit 3; }`,
    // Where systemd runs, the timer is a transient unit: logind may kill everything a closing SSH
    // session started (KillUserProcesses=yes), but not a unit of the system manager. Elsewhere
    // (the lab has no systemd) setsid gives it its own session, so neither the SSH channel's end
    // nor a hangup reaches it. Either way every standard stream is redirected, so the channel can
    // close at once, and the timer writes its pid, which confirm and rollback kill. KillMode=process:
    // what the revert starts and leaves running (wireguard-go under wg-quick up) must outlive the
    // unit, which by default takes its whole cgroup down when it ends.
    `if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then`,
    `  systemd-run --quiet --collect --unit=${q(`reconciler-revert-${assertRunId(runId)}`)} -p KillMode=process -p StandardOutput=${q(`file:${runDir(l, runId)}/timer.log`)} -p StandardError=inherit sh "$RUN/timer.sh" ${t} < /dev/null > /dev/null 2>&1 || { echo '@@no-timer'; exit 3; }`,
    // FreeBSD (OPNsense) has no setsid(1): its daemon(8) detaches the same way (setsid, streams
    // closed); the redirection to timer.log is then made inside.
    `elif command -v setsid >/dev/null 2>&1; then`,
    `  setsid sh "$RUN/timer.sh" ${t} < /dev/null > "$RUN/timer.log" 2>&1 &`,
    `elif command -v daemon >/dev/null 2>&1; then`,
    `  daemon -f sh -c 'exec sh "$1/timer.sh" "$2" > "$1/timer.log" 2>&1' sh "$RUN" ${t} || { echo '@@no-timer'; exit 3; }`,
    "else",
    `  nohup sh "$RUN/timer.sh" ${t} < /dev/null > "$RUN/timer.log" 2>&1 &`,
    "fi",
    `_i=0; while [ ! -s "$RUN/timer.pid" ] && [ "$_i" -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done`,
    `[ -s "$RUN/timer.pid" ] || { echo '@@no-timer'; exit 3; }`,
    `printf '@@armed %s\\n' "$(cat "$RUN/timer.pid")"`,
    "",
  ].join("\n");
}

/** Ends the timer process (its pid is its process group under setsid: the group goes too). */
const killTimer = [
  `if [ -s "$RUN/timer.pid" ]; then _p=$(cat "$RUN/timer.pid")`,
  `  case "$_p" in *[!0-9]* | "") ;; *) kill -s TERM -- "-$_p" 2>/dev/null || kill -s TERM "$_p" 2>/dev/null ;; esac`,
  "fi",
];

/** Moves the revert deadline to timeoutS from now; refused when the timer already fired. */
export function rearmScript(l: DeviceLayout, runId: string, timeoutS: number): string {
  const t = assertTimeout(timeoutS);
  return [
    ...prelude(l, runId),
    `[ -e "$RUN/armed" ] || { echo '@@not-armed'; cat ${q(`${noticeDir(l)}/${runId}`)} 2>/dev/null; exit 4; }`,
    `echo $(( $(date +%s) + ${t} + 1 )) > "$RUN/deadline.tmp" && mv -f "$RUN/deadline.tmp" "$RUN/deadline" || exit 3`,
    "echo '@@rearmed'",
    "",
  ].join("\n");
}

export function confirmScript(l: DeviceLayout, runId: string, time: string): string {
  const notices = noticeDir(l);
  return [
    ...prelude(l, runId),
    `[ -d "$RUN" ] || { echo '@@no-run'; exit 2; }`,
    `if ! mv "$RUN/armed" "$RUN/confirmed" 2>/dev/null; then`,
    `  if [ -e "$RUN/reverting" ] || [ -e "$RUN/reverted" ]; then echo '@@reverted'; cat ${q(`${notices}/${runId}`)} 2>/dev/null; exit 4; fi`,
    "fi",
    ...killTimer,
    // The candidate goes (it is live now); the snapshot stays: it is the configuration confirmed
    // before this run, which an emergency rollback restores from the device itself (restore.ts).
    `rm -rf "$RUN/candidate"`,
    ...markUndoneLines(l),
    // Decision: notices stay until an apply is confirmed on the device; this confirm clears them.
    // (The prelude's set -f disables globbing, so no `rm DIR/*` here.)
    `[ ! -d ${q(notices)} ] || find ${q(notices)} -mindepth 1 -maxdepth 1 -type f -delete`,
    `printf 'run=%s\\nconfirmed=%s\\n' ${q(runId)} ${q(time)} > "$RUN/record"`,
    "echo '@@confirmed'",
    "",
  ].join("\n");
}

export function rollbackScript(l: DeviceLayout, runId: string): string {
  return [
    ...prelude(l, runId),
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
