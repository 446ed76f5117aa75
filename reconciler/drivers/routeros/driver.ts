// The RouterOS v7 driver (pure half and read): command-shaped. read() is one `/export terse
// show-sensitive`; candidate() is the ordered RouterOS commands from the live export to the desired
// state (plan-commands.ts); normalize() the projection both sides are compared in; owned() what
// carries the reconciler's mark. The apply half (lock, undo script, scheduler revert, health) is apply.ts.
import type { LiveState } from "../../model/live.ts";
import type { Driver } from "../driver.ts";
import { routerosDescriptor } from "./descriptor.ts";
import { liveStateFromExport, type RouterosLive, type UnmanagedItem } from "./live-state.ts";
import { normalizeRouteros } from "./normalize.ts";
import { parseExport } from "./parse-export.ts";
import { planCommands } from "./plan-commands.ts";
import { EXPORT_ARTIFACT, readRouteros, routerosDetails } from "./read.ts";

/** The device's items behind a live state: carried by read, else parsed again from the artifact. */
export function routerosLiveOf(live: LiveState): RouterosLive {
  const carried = routerosDetails(live);
  if (carried) return carried;
  // A copy of the live state (a saved plan, a spread): the artifact is the export with secrets
  // redacted, which still says what every item is.
  return liveStateFromExport(parseExport(live.artifacts[EXPORT_ARTIFACT] ?? ""));
}

/**
 * What the device carries that the model cannot express (other menus, properties without a
 * field), each as a redacted command line: for the plan's "unmanaged" report, which today lists
 * only what the model diff finds (model/plan.ts has no place for these yet).
 */
export function routerosUnmanaged(live: LiveState): UnmanagedItem[] {
  return routerosLiveOf(live).unmanaged;
}

export { routerosFindings } from "./checks.ts";

export const routerosDriver: Driver = {
  platform: "routeros",
  descriptor: routerosDescriptor,
  read: readRouteros,
  candidate: (intent, _device, live) => ({
    kind: "commands",
    commands: planCommands(intent, routerosLiveOf(live)),
  }),
  normalize: normalizeRouteros,
  owned: (live) => new Set(routerosLiveOf(live).owned),
};
