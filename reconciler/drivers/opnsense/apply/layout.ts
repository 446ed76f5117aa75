// Where the apply protocol keeps its state on an OPNsense box: the kit's layout (kit/layout.ts)
// under /conf/reconciler (/conf survives reboots and is root's; /var may be a memory disk), plus
// what OPNsense's own scripts keep in the run directory:
//   expected.xml          config.xml as it was read (secrets as tokens): the compare-and-swap
//   fill-secrets.awk      puts the device's own secrets back in place of their tokens
//   write-config.sh restore-config.sh    run under OPNsense's config lock (lockf on config.xml)
//   candidate/final.xml   what this run wrote (secrets in clear, root-only, removed with the candidate)
//   written               present once this run's config.xml is in place
import type { DeviceLayout } from "../../kit/layout.ts";
import * as kit from "../../kit/layout.ts";

export const OPNSENSE_LAYOUT: DeviceLayout = { stateDir: "/conf/reconciler" };
export const BACKUP_DIR = "/conf/backup";

export function runDir(runId: string): string {
  return kit.runDir(OPNSENSE_LAYOUT, runId);
}
