// Where the apply protocol keeps its state on an Opengear box: the kit's layout (kit/layout.ts)
// under /etc/config/reconciler. /etc/config is the box's persistent configuration partition,
// root's, where the store itself lives (ngcs.db): the run directories and the WireGuard keys the
// box generates survive a reboot there. Plus what Opengear's scripts keep in the run directory:
//   expected.export       the store as read (redacted): the stage's compare-and-swap
//   snapshot/0            a byte-identical copy of /etc/config/ngcs.db from before the run
//   snapshot/export       `ogcli export` of the same moment (root-only): what revert restores through
//   candidate/commands.sh the run's ogcli commands with their secrets filled (removed on every ending)
//   done                  how many commands of the run completed
import type { DeviceLayout } from "../../kit/layout.ts";
import * as kit from "../../kit/layout.ts";

export const OPENGEAR_LAYOUT: DeviceLayout = { stateDir: "/etc/config/reconciler" };

/** The configuration store (opengear/ogcli-restore-rollback copies this file aside and back). */
export const STORE_DB = "/etc/config/ngcs.db";

export const KEY_DIR = `${OPENGEAR_LAYOUT.stateDir}/keys`;

export function runDir(runId: string): string {
  return kit.runDir(OPENGEAR_LAYOUT, runId);
}
