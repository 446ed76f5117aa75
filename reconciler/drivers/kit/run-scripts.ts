// The scripts a run leaves in its directory at stage, composed from what the platform supplies:
// - lib.sh: the prelude, `fail` (counts errors), the file functions, then the platform's helpers;
// - stage (sent, not left): uploads, snapshot, the platform's validators, what it records;
// - commit.sh: candidate files into place (unchanged ones not touched), then converge.sh;
// - revert.sh MODE [TIMEOUT]: snapshot copies back, then converge.sh; as the timer (MODE timer)
//   also the notice for the operator and the release of the run's lock.
// converge.sh (the running state follows the files as they are in place) is the platform's own.
import { shQuote as q } from "../../transport/quote.ts";
import { candidateRel, fileFunctions, type RunFile, restoreLines, snapshotLines } from "./files.ts";
import { assertRunId, type DeviceLayout, noticeDir, prelude } from "./layout.ts";
import { releaseIfOursLines } from "./lock.ts";
import { manifestLines } from "./restore.ts";
import { openRunLines } from "./rundir.ts";
import { sectionFunctions } from "./sections.ts";
import { type Upload, uploadLines } from "./upload.ts";

export function libScript(l: DeviceLayout, runId: string, platformHelpers: readonly string[]): string {
  return [
    ...prelude(l, runId),
    "ERRORS=0",
    `fail() { printf 'converge: %s\\n' "$*" >&2; ERRORS=$((ERRORS + 1)); }`,
    ...fileFunctions(),
    ...platformHelpers,
    "",
  ].join("\n");
}

export interface StageSpec {
  layout: DeviceLayout;
  runId: string;
  nonce: string;
  /** lib.sh, converge.sh, commit.sh, revert.sh, timer.sh and the candidates. */
  uploads: readonly Upload[];
  /** Lines that put candidates in place on the device itself (a restore: restore.ts copyLines); _bad=1 on failure. */
  copies?: readonly string[];
  files: readonly RunFile[];
  /** Directories (relative to the run dir) the validators use; removed after validation. */
  checkDirs: readonly string[];
  /**
   * The platform's validators: each prints a section named check:<what> with its status and sets
   * _rej=1 when it rejects. lib.sh is loaded; $RUN is the run directory.
   */
  validate: readonly string[];
  /** What the platform records after validation (what exists before the commit, ...). */
  record: readonly string[];
}

/**
 * Receives the uploads, snapshots the live files, validates the candidate with the platform's own
 * tools, records what exists before the commit. Prints @@staged, or @@rejected with the
 * validators' sections; a rejected or failed stage removes its run directory (it holds secrets).
 */
export function stageScript(s: StageSpec): string {
  return [
    ...prelude(s.layout, s.runId),
    ...sectionFunctions(s.nonce),
    ...openRunLines(s.layout, s.runId, s.checkDirs),
    "_bad=0",
    ...uploadLines(s.uploads, s.nonce),
    ...(s.copies ?? []),
    `[ "$_bad" = 0 ] || { echo '@@upload-failed'; rm -rf "$RUN"; exit 2; }`,
    '. "$RUN/lib.sh"',
    ...manifestLines(s.files),
    ...snapshotLines(s.files),
    `[ "$_bad" = 0 ] || { echo '@@snapshot-failed'; rm -rf "$RUN"; exit 2; }`,
    "_rej=0",
    ...s.validate,
    `if [ "$_rej" != 0 ]; then rm -rf "$RUN"; echo '@@rejected'; exit 0; fi`,
    `rm -rf "$RUN/check"`,
    ...s.record,
    "echo '@@staged'",
    "",
  ].join("\n");
}

export interface CommitFile extends RunFile {
  /** Mode and owner for a file the commit creates (an existing file keeps its own). */
  mode: string;
  owner: string;
  /** Mode of the file's directory if the commit must create it. */
  dirMode: string;
}

/**
 * commit.sh: `before` (e.g. directories the platform's secrets need), every file into place or
 * removed, then converge.sh, then `after` (what the health gate needs from just after the commit).
 * `install` replaces the kit's way of putting files in place (a file other programs lock and
 * rewrite in place, such as OPNsense's config.xml); its lines count failures with `fail`.
 */
export function commitScript(
  files: readonly CommitFile[],
  hooks: { before?: readonly string[]; after?: readonly string[]; install?: readonly string[] } = {},
): string {
  const L = ['. "$(dirname "$0")/lib.sh"', `date +%s > "$RUN/committed-at"`, ...(hooks.before ?? [])];
  if (hooks.install) L.push(...hooks.install);
  else
    for (const f of files) {
      if (f.content === null) L.push(`rm -f ${q(f.path)} || fail ${q(`rm ${f.path}`)}`);
      else
        L.push(
          `ensure_dir ${q(f.path.slice(0, f.path.lastIndexOf("/")))} ${q(f.dirMode)} root:root || fail ${q(`mkdir for ${f.path}`)}`,
          `install_file "$RUN/${candidateRel(f)}" ${q(f.path)} ${q(f.mode)} ${q(f.owner)} || fail ${q(`could not write ${f.path}`)}`,
        );
    }
  L.push(
    `if [ "$ERRORS" -ne 0 ]; then echo "commit: $ERRORS file(s) could not be written" >&2; exit 3; fi`,
    `sh "$RUN/converge.sh"; _rc=$?`,
    ...(hooks.after ?? []),
    `exit "$_rc"`,
    "",
  );
  return L.join("\n");
}

/**
 * revert.sh MODE [TIMEOUT]: MODE timer (writes the notice, frees the run's lock) or now. `restore`
 * replaces the kit's way of putting the snapshot back (see commitScript's `install`).
 */
export function revertScript(
  l: DeviceLayout,
  runId: string,
  files: readonly RunFile[],
  opts: { restore?: readonly string[] } = {},
): string {
  const notices = noticeDir(l);
  const notice = `${notices}/${assertRunId(runId)}`;
  return [
    '. "$(dirname "$0")/lib.sh"',
    ...(opts.restore ?? restoreLines(files)),
    `sh "$RUN/converge.sh" > "$RUN/converge.log" 2>&1 || ERRORS=$((ERRORS + 1))`,
    `: > "$RUN/reverted"`,
    // The candidate holds the new secrets; the snapshot copies are in place again.
    `[ "$ERRORS" -ne 0 ] || rm -rf "$RUN/candidate" "$RUN/snapshot"`,
    `rm -rf "$RUN/candidate"`,
    `if [ "$1" = timer ]; then`,
    `  mkdir -p ${q(notices)}`,
    `  _x=""; [ "$ERRORS" -eq 0 ] || _x=" (with errors: see $RUN/converge.log)"`,
    `  printf 'run %s was not confirmed within %s s: the device reverted by itself at %s%s\\n' ${q(runId)} "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$_x" > ${q(`${notice}.tmp`)}`,
    `  mv -f ${q(`${notice}.tmp`)} ${q(notice)}`,
    // The run that held the lock is over (its reconciler is gone): free the device for the next.
    ...releaseIfOursLines(l, runId).map((line) => `  ${line}`),
    'else cat "$RUN/converge.log"; fi',
    `[ "$ERRORS" -eq 0 ]`,
    "",
  ].join("\n");
}
