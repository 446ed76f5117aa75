// Emergency rollback from the device's own copy. Every run records which managed files it touched
// (`files`: "<index>\t<path>" lines) and, at stage, a byte-identical snapshot of them as they were
// before it. A confirmed run keeps that snapshot (root-only, like the live files it copies, so no
// secret leaves the device): it is the configuration confirmed before that run, and restoring it
// undoes the run, needing nothing but SSH. A restore is itself a run whose candidate is copied from
// the old snapshot on the device (`restores` names the run it undoes); its confirm marks that run
// `undone`, so the next restore goes one run further back. Pure.
import { shQuote as q } from "../../transport/quote.ts";
import type { RestorePoint } from "../apply-contract.ts";
import { candidateRel, type RunFile, snapshotRel } from "./files.ts";
import { assertManagedPath, assertRunId, type DeviceLayout, PATH_LINE, runDir, runsDir } from "./layout.ts";

/** Restore points listed at most (newest first): an emergency needs the newest one or two. */
export const MAX_POINTS = 5;

/** Stage: the list of the run's managed files, read back by restorePointsScript. */
export function manifestLines(files: readonly RunFile[]): string[] {
  return [
    `: > "$RUN/files"`,
    ...files.map((f) => `printf '%s\\t%s\\n' ${f.index} ${q(assertManagedPath(f.path))} >> "$RUN/files"`),
  ];
}

/**
 * Lists the confirmed runs whose snapshot can be restored, newest first: runs undone already and
 * restore runs themselves are passed over. Per point: @@point ID, @@at TIME, then @@file INDEX
 * PATH, @@absent PATH (the run created the file: restoring removes it) or @@missing PATH.
 */
export function restorePointsScript(l: DeviceLayout): string {
  const runs = q(runsDir(l));
  return [
    "set -f",
    PATH_LINE,
    "LC_ALL=C; export LC_ALL",
    "_n=0",
    `for _r in $(ls -1 ${runs} 2>/dev/null | sort -r); do`,
    `  _d=${runs}/"$_r"`,
    `  [ -e "$_d/confirmed" ] && [ -d "$_d/snapshot" ] && [ -f "$_d/files" ] || continue`,
    `  [ -e "$_d/undone" ] || [ -e "$_d/restores" ] && continue`,
    `  [ "$_n" -ge ${MAX_POINTS} ] && break; _n=$((_n + 1))`,
    `  printf '@@point %s\\n' "$_r"`,
    `  sed -n 's/^confirmed=/@@at /p' "$_d/record" 2>/dev/null | head -n 1`,
    `  while IFS='\t' read -r _i _p; do`,
    `    case "$_i" in "" | *[!0-9]*) continue ;; esac`,
    `    if [ -e "$_d/snapshot/$_i.absent" ]; then printf '@@absent %s\\n' "$_p"`,
    `    elif [ -f "$_d/snapshot/$_i" ]; then printf '@@file %s %s\\n' "$_i" "$_p"`,
    `    else printf '@@missing %s\\n' "$_p"; fi`,
    `  done < "$_d/files"`,
    "done",
    "echo '@@end'",
    "",
  ].join("\n");
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What restorePointsScript printed (device output: hostile). A point with a file whose snapshot is
 * missing, or with a path the platform does not manage, is not offered. Throws when the listing
 * did not end (cut short).
 */
export function parseRestorePoints(stdout: string, managed: (path: string) => boolean): RestorePoint[] {
  if (!/(^|\n)@@end\n?$/.test(stdout)) throw new Error("the list of restore points was cut short");
  const points: (RestorePoint & { broken?: boolean })[] = [];
  let cur: (RestorePoint & { broken?: boolean }) | undefined;
  const isPath = (p: string) => /^\/[A-Za-z0-9_.=+/-]+$/.test(p) && !p.includes("/../") && managed(p);
  for (const line of stdout.split("\n")) {
    const [tag, ...rest] = line.split(" ");
    const arg = rest.join(" ");
    if (tag === "@@point") {
      cur = RUN_ID.test(arg) && !arg.includes("..") ? { runId: arg, files: [] } : undefined;
      if (cur) points.push(cur);
    } else if (!cur) {
    } else if (tag === "@@at" && /^[0-9TZ:.+-]{1,40}$/.test(arg)) cur.confirmedAt = arg;
    else if (tag === "@@file") {
      const [index, path] = [rest[0] ?? "", rest.slice(1).join(" ")];
      if (/^[0-9]{1,6}$/.test(index) && isPath(path)) cur.files.push({ path, snapshotIndex: Number(index) });
      else cur.broken = true;
    } else if (tag === "@@absent") {
      if (isPath(arg)) cur.files.push({ path: arg, absent: true });
      else cur.broken = true;
    } else if (tag === "@@missing") cur.broken = true;
  }
  return points.filter((p) => !p.broken && p.files.length > 0).map(({ broken: _b, ...p }) => p);
}

/** The file list of a restore run: one entry per path of the point, in a fresh index order. */
export function restoreFiles(point: RestorePoint): (RunFile & { from?: number })[] {
  return [...point.files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f, index) => ({
      index,
      path: assertManagedPath(f.path),
      // Present files are copied on the device (copyLines), never uploaded: "" marks "present".
      content: f.absent ? null : "",
      ...(f.absent ? {} : { from: f.snapshotIndex }),
    }));
}

/** Stage of a restore run: each present file's candidate copied from the old run's snapshot. */
export function copyLines(
  l: DeviceLayout,
  fromRun: string,
  files: readonly (RunFile & { from?: number })[],
): string[] {
  const from = runDir(l, assertRunId(fromRun));
  const L: string[] = [];
  for (const f of files) {
    if (f.content === null || f.from === undefined) continue;
    if (!Number.isSafeInteger(f.from) || f.from < 0) throw new Error(`not a snapshot index: ${f.from}`);
    const rel = candidateRel(f);
    L.push(
      `mkdir -p "$RUN/"${q(rel.slice(0, rel.lastIndexOf("/")))} && cp -p ${q(`${from}/${snapshotRel({ ...f, index: f.from })}`)} "$RUN/"${q(rel)} || _bad=1`,
    );
  }
  L.push(`printf '%s\\n' ${q(fromRun)} > "$RUN/restores" || _bad=1`);
  return L;
}

/** Confirm of a restore run: the run it restored is undone (the next restore goes further back). */
export function markUndoneLines(l: DeviceLayout): string[] {
  const runs = q(runsDir(l));
  return [
    `if [ -f "$RUN/restores" ]; then _u=$(head -n 1 "$RUN/restores")`,
    `  case "$_u" in "" | .* | */* | *[!A-Za-z0-9._-]*) ;; *) [ -d ${runs}/"$_u" ] && : > ${runs}/"$_u/undone" ;; esac`,
    "fi",
  ];
}
