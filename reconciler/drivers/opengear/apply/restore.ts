// Emergency rollback from the box's own copy (docs/rollback.md): each confirmed run keeps, root-
// only, the store as it was before it (snapshot/0, ngcs.db byte for byte, and snapshot/export of
// the same moment). Restoring a point is itself a run: its "commands" put that store back and
// have ogcli restore its export (the services follow), copied on the box (no secret travels).
import { shQuote as q } from "../../../transport/quote.ts";
import type { RestorePoint } from "../../apply-contract.ts";
import { runDir as kitRunDir } from "../../kit/layout.ts";
import { copyLines, restoreFiles } from "../../kit/restore.ts";
import { OPENGEAR_LAYOUT, STORE_DB } from "./layout.ts";

/** The point must be the store and nothing else. */
export function assertStorePoint(point: RestorePoint): void {
  if (
    point.files.length !== 1 ||
    point.files[0]?.path !== STORE_DB ||
    point.files[0].snapshotIndex === undefined
  )
    throw new Error(`restore point ${point.runId} is not a copy of ${STORE_DB}`);
}

/** Stage lines: the point's store and export copied into this run's candidate directory. */
export function restoreCopyLines(point: RestorePoint): string[] {
  const from = kitRunDir(OPENGEAR_LAYOUT, point.runId);
  return [
    ...copyLines(OPENGEAR_LAYOUT, point.runId, restoreFiles(point)),
    `cp -p ${q(`${from}/snapshot/export`)} "$RUN/candidate/store.export" || _bad=1`,
  ];
}

/** The restore run's commands.in: the kept store back, the services following its export. */
export function restoreCommandsScript(): string {
  const db = q(STORE_DB);
  return [
    'RUN=$(cd "$(dirname "$0")/.." && pwd) || exit 2',
    `: > "$RUN/done"`,
    `cp -p "$RUN/candidate/0/ngcs.db" ${db}.reconciler-tmp && mv -f ${db}.reconciler-tmp ${db} || { echo 'could not put the kept store in place' >&2; exit 1; }`,
    `ogcli restore "$RUN/candidate/store.export" || { echo 'ogcli restore of the kept export failed' >&2; exit 1; }`,
    `cp -p "$RUN/candidate/0/ngcs.db" ${db}.reconciler-tmp && mv -f ${db}.reconciler-tmp ${db} || exit 1`,
    `echo 1 > "$RUN/done"`,
    "",
  ].join("\n");
}
