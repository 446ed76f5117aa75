// The run directory's life: opened at stage (refused when this run already committed), other
// runs' leftovers pruned while the lock is held, and removed whenever a candidate will never be
// committed. Candidates and snapshot copies may hold secrets: every ending removes them, except
// the snapshot of a confirmed run, kept root-only as the device's own restore point (restore.ts)
// until the run is pruned. Pure.
import { shQuote as q } from "../../transport/quote.ts";
import { assertRunId, type DeviceLayout, prelude, runsDir } from "./layout.ts";
import { assertRel } from "./upload.ts";

/** Runs kept on a device for inspection (their records and logs; never candidates). */
export const KEEP_RUNS = 20;

/**
 * Other runs' leftovers, removed while this run holds the lock (so no other run is in progress,
 * except one whose revert timer is pending: those are left alone). Candidates and the snapshot
 * copies of runs that were not confirmed go at once (they may hold secrets); whole run directories
 * beyond the newest KEEP_RUNS go too.
 */
export function pruneLines(l: DeviceLayout, runId: string): string[] {
  const runs = q(runsDir(l));
  return [
    `for _o in $(ls -1 ${runs} 2>/dev/null); do`,
    `  _od=${runs}/"$_o"; [ "$_o" = ${q(assertRunId(runId))} ] && continue`,
    `  [ -e "$_od/armed" ] || [ -e "$_od/reverting" ] && continue`,
    `  rm -rf "$_od/candidate" "$_od/check"; find "$_od" -maxdepth 1 -name 'sync-*.conf' -delete`,
    // A confirmed run's snapshot is a restore point (restore.ts); any other run's goes.
    `  [ -e "$_od/confirmed" ] || rm -rf "$_od/snapshot"`,
    "done",
    // Run ids sort by time: the oldest beyond KEEP_RUNS are removed whole (never a pending one).
    `for _o in $(ls -1 ${runs} 2>/dev/null | sort -r | tail -n +${KEEP_RUNS + 1}); do`,
    `  _od=${runs}/"$_o"; [ -e "$_od/armed" ] || [ -e "$_od/reverting" ] || rm -rf "$_od"`,
    "done",
  ];
}

/**
 * Stage's first lines (after the prelude): refused once this run committed; a fresh run directory
 * with snapshot/ and the platform's check directories (relative to it).
 */
export function openRunLines(l: DeviceLayout, runId: string, checkDirs: readonly string[]): string[] {
  const dirs = ["snapshot", ...checkDirs].map((d) => `"$RUN/${assertRel(d)}"`).join(" ");
  return [
    `if [ -e "$RUN/armed" ] || [ -e "$RUN/committed-at" ]; then echo '@@already-committed'; exit 9; fi`,
    `mkdir -p ${q(runsDir(l))} && chmod 700 ${q(l.stateDir)} || exit 2`,
    ...pruneLines(l, runId),
    `rm -rf "$RUN" && mkdir -p ${dirs} || exit 2`,
  ];
}

/** The staged candidate will not be committed: its run directory goes (it may hold secrets). */
export function abandonScript(l: DeviceLayout, runId: string): string {
  return [
    ...prelude(l, runId),
    `if [ -e "$RUN/armed" ] || [ -e "$RUN/committed-at" ]; then echo '@@committed'; exit 4; fi`,
    `rm -rf "$RUN" && echo '@@abandoned'`,
    "",
  ].join("\n");
}
