// Where the apply protocol keeps its state on a Debian router, and the rules for the names that
// become parts of paths. Everything lives under /var/lib/reconciler, root-only (0700):
//
//   lock/owner                 the device lock (mkdir is the atomic test-and-set); run, host, time
//   notices/<runId>            "run <id> was not confirmed within N s: the device reverted ..."
//   runs/<runId>/
//     candidate/<i>/<name>     the candidate files as uploaded (secrets substituted), 0600
//     snapshot/<i>             byte-identical copies (cp -p) of the live files before the run;
//     snapshot/<i>.absent      ... or this marker when the file did not exist
//     check/                   what the validators read (bird.conf with its includes redirected)
//     lib.sh commit.sh converge.sh revert.sh timer.sh    the device-side scripts of this run
//     links-before wg-before sysctl-before                what existed before the commit
//     ifup-snapshot ifup-candidate managed-addrs          interfaces and addresses this run manages
//     committed-at             epoch seconds of the commit (the health gate's handshake bound)
//     armed                    present while the revert timer may fire; renamed to confirmed or
//                              reverting (atomic mv: confirm and the timer cannot both win)
//     timer.pid timer.log      the detached revert timer (its pid is also its process group)
//     reverted converge.log record
export const STATE_DIR = "/var/lib/reconciler";
export const LOCK_DIR = `${STATE_DIR}/lock`;
export { NOTICE_DIR } from "../read-script.ts";

export const RUNS_DIR = `${STATE_DIR}/runs`;

export function assertRunId(runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(runId) || runId.includes(".."))
    throw new Error(`a run id must be 1-64 letters, digits, '.', '_' or '-', not ${JSON.stringify(runId)}`);
  return runId;
}

export function runDir(runId: string): string {
  return `${RUNS_DIR}/${assertRunId(runId)}`;
}

/** A managed path: absolute, plain characters only (they come from paths.ts, checked again here). */
export function assertManagedPath(path: string): string {
  if (!/^\/[A-Za-z0-9_.=+/-]+$/.test(path) || path.includes("/../") || path.endsWith("/"))
    throw new Error(`not a path the reconciler manages: ${JSON.stringify(path)}`);
  return path;
}

export const PATH_LINE = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export PATH";
