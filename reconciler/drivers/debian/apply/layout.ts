// Where the apply protocol keeps its state on a Debian router: the kit's layout (kit/layout.ts)
// under /var/lib/reconciler, plus what Debian's scripts record in the run directory:
//   links-before wg-before sysctl-before                what existed before the commit
//   ifup-snapshot ifup-candidate managed-addrs          interfaces and addresses this run manages
//   transfer-at-commit                                  the tunnels' counters (the health gate's bound)
import * as kit from "../../kit/layout.ts";
import { DEBIAN_LAYOUT } from "../paths.ts";

export { DEBIAN_LAYOUT };

export const STATE_DIR = DEBIAN_LAYOUT.stateDir;
export const LOCK_DIR = kit.lockDir(DEBIAN_LAYOUT);
export const RUNS_DIR = kit.runsDir(DEBIAN_LAYOUT);
export const NOTICE_DIR = kit.noticeDir(DEBIAN_LAYOUT);
export { assertManagedPath, assertRunId, PATH_LINE } from "../../kit/layout.ts";

export function runDir(runId: string): string {
  return kit.runDir(DEBIAN_LAYOUT, runId);
}
