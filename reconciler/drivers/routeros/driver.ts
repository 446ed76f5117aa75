// The RouterOS v7 driver (pure half and read): command-shaped. read() is one `/export terse
// show-sensitive`; candidate() is the ordered RouterOS commands from the live export to the desired
// state (plan-commands.ts); normalize() the projection both sides are compared in; owned() what
// carries the reconciler's mark. The apply half (lock, undo script, scheduler revert, health) is apply.ts.
import type { LiveState } from "../../model/live.ts";
import type { Unmanaged } from "../../model/plan.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import type { Driver } from "../driver.ts";
import { routerosDescriptor } from "./descriptor.ts";
import { liveStateFromExport, type RouterosLive, type UnmanagedItem } from "./live-state.ts";
import { normalizeRouteros } from "./normalize.ts";
import { parseExport } from "./parse-export.ts";
import { planCommands, rawSatisfied } from "./plan-commands.ts";
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
 * field), each as a redacted command line, less what a desired raw line asks for (the raw line
 * is how git manages it).
 */
export function routerosUnmanaged(live: LiveState, desired?: DeviceIntent): UnmanagedItem[] {
  const raw = desired?.raw?.routeros ?? [];
  return routerosLiveOf(live).unmanaged.filter(
    (u) => !raw.some((line) => rawSatisfied(line, parseExport(u.text).items)),
  );
}

/** For the plan: the item's command line; a managed item lists the properties the model leaves out. */
function unmanagedEntries(live: LiveState, desired: DeviceIntent): Unmanaged[] {
  return routerosUnmanaged(live, desired).map((u) => ({
    path: u.text.length > 200 ? `${u.text.slice(0, 200)}…` : u.text,
    value: u.properties ? { properties: u.properties } : u.text,
  }));
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
  unmanaged: unmanagedEntries,
};
