// Where the apply protocol keeps its state on a POSIX-like device, and the rules for the names that
// become parts of paths. A platform gives only its state directory (root-only, 0700):
//
//   lock/owner                 the device lock (mkdir is the atomic test-and-set); run, host, time
//   notices/<runId>            "run <id> was not confirmed within N s: the device reverted ..."
//   runs/<runId>/
//     candidate/<i>/<name>     the candidate files as uploaded (secrets substituted), 0600
//     snapshot/<i>             byte-identical copies (cp -p) of the live files before the run;
//     snapshot/<i>.absent      ... or this marker when the file did not exist
//     check/                   what the platform's validators read
//     lib.sh commit.sh converge.sh revert.sh timer.sh    the device-side scripts of this run
//     committed-at             epoch seconds of the commit
//     armed                    present while the revert timer may fire; renamed to confirmed or
//                              reverting (atomic mv: confirm and the timer cannot both win)
//     deadline                 when the timer fires (epoch seconds; rearm moves it)
//     timer.pid timer.log      the detached revert timer (its pid is also its process group)
//     reverted converge.log record
//   plus whatever the platform records there (what existed before the commit, ...).
import { shQuote as q } from "../../transport/quote.ts";

export interface DeviceLayout {
  /** Absolute, plain characters: e.g. /var/lib/reconciler. */
  readonly stateDir: string;
}

export const lockDir = (l: DeviceLayout) => `${l.stateDir}/lock`;
export const runsDir = (l: DeviceLayout) => `${l.stateDir}/runs`;
export const noticeDir = (l: DeviceLayout) => `${l.stateDir}/notices`;

export function assertRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(runId) || runId.includes(".."))
    throw new Error(`a run id must be 1-64 letters, digits, '.', '_' or '-', not ${JSON.stringify(runId)}`);
  return runId;
}

export function runDir(l: DeviceLayout, runId: string): string {
  return `${runsDir(l)}/${assertRunId(runId)}`;
}

/** A managed path: absolute, plain characters only (checked again here, whatever the platform says). */
export function assertManagedPath(path: string): string {
  if (!/^\/[A-Za-z0-9_.=+/-]+$/.test(path) || path.includes("/../") || path.endsWith("/"))
    throw new Error(`not a path the reconciler manages: ${JSON.stringify(path)}`);
  return path;
}

/** The tools the scripts call are found in the system's directories only, never the login's PATH. */
export const PATH_LINE = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH";

/** The first lines of every script that works in a run directory: no globbing, root-only files, $RUN. */
export const prelude = (l: DeviceLayout, runId: string) => [
  "set -f",
  "umask 077",
  PATH_LINE,
  "LC_ALL=C; export LC_ALL",
  `RUN=${q(runDir(l, runId))}`,
];
