// Managed files on a POSIX-like device: where a run keeps each file's candidate and snapshot, the
// byte-identical snapshot (cp -p, or an .absent marker when the file did not exist), and the
// shell functions that put a candidate in place and a snapshot back. Pure.
import { shQuote as q } from "../../transport/quote.ts";
import { assertManagedPath } from "./layout.ts";

export interface RunFile {
  /** Index in the run directory: candidate/<i>/<basename>, snapshot/<i>. */
  index: number;
  path: string;
  /** The candidate's bytes; null when the commit removes the file. */
  content: string | null;
}

const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const index = (f: RunFile) => {
  if (!Number.isSafeInteger(f.index) || f.index < 0) throw new Error(`not a file index: ${f.index}`);
  return f.index;
};

/** Where a file's candidate copy lives, relative to the run dir: its own name (wg-quick wants it). */
export const candidateRel = (f: RunFile) => `candidate/${index(f)}/${base(assertManagedPath(f.path))}`;
export const snapshotRel = (f: RunFile) => `snapshot/${index(f)}`;

/** Shell functions for the run's lib.sh (they need `fail` only where the caller uses it). */
export const fileFunctions = (): string[] => [
  "# ensure_dir DIR MODE OWNER: create a missing directory with that mode and owner",
  `ensure_dir() { [ -d "$1" ] && return 0; mkdir -p "$1" && chmod "$2" "$1" && { chown "$3" "$1" 2>/dev/null || true; }; }`,
  "# install_file SRC DST MODE OWNER: DST gets SRC's bytes (temp name in DST's dir, then mv); an",
  "# existing DST keeps its mode and owner (a copy of it with cp -p, then SRC's bytes written",
  "# into that copy: POSIX, where chmod --reference is GNU's only); an identical DST is not touched",
  "install_file() {",
  `  if [ -f "$2" ] && cmp -s "$1" "$2"; then return 0; fi`,
  `  _t="$2.reconciler-tmp"`,
  `  rm -f "$_t"`,
  `  if [ -e "$2" ]; then cp -p "$2" "$_t" && cat "$1" > "$_t"`,
  `  else cp "$1" "$_t" && chmod "$3" "$_t" && { chown "$4" "$_t" 2>/dev/null || true; }; fi || { rm -f "$_t"; return 1; }`,
  `  mv -f "$_t" "$2"`,
  "}",
  "# restore_file SNAPSHOT DST: DST back to the snapshot copy (bytes, mode, owner, times) or removed",
  "restore_file() {",
  `  if [ -f "$1.absent" ]; then rm -f "$2"; return; fi`,
  `  _t="$2.reconciler-tmp"`,
  `  cp -p "$1" "$_t" && mv -f "$_t" "$2"`,
  "}",
];

/** Stage: a byte-identical copy of each live file (or its .absent marker); a failure sets _bad=1. */
export function snapshotLines(files: readonly RunFile[]): string[] {
  return files.map(
    (f) =>
      `if [ -e ${q(f.path)} ]; then cp -p ${q(f.path)} "$RUN/${snapshotRel(f)}" || _bad=1; else : > "$RUN/${snapshotRel(f)}.absent"; fi`,
  );
}

/** Revert: every file back as the snapshot has it; a failure counts in ERRORS (lib.sh's fail). */
export function restoreLines(files: readonly RunFile[]): string[] {
  return files.map(
    (f) => `restore_file "$RUN/${snapshotRel(f)}" ${q(f.path)} || fail ${q(`could not restore ${f.path}`)}`,
  );
}
