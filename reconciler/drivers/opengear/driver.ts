// The Opengear driver (Operations Manager / CM8100 firmware, configured with ogcli), pure half
// and read: read() is one round trip (`ogcli export`, redacted on the box: read-script.ts);
// candidate() is the fewest ogcli commands from the live store to the desired state
// (plan-commands.ts); normalize() the projection both sides are compared in; unmanaged() the
// store's other entities, whole. The apply half is apply/apply.ts.
import type { LiveState } from "../../model/live.ts";
import type { Unmanaged } from "../../model/plan.ts";
import type { Driver } from "../driver.ts";
import { opengearHealthProbes } from "./apply/health.ts";
import { opengearDescriptor } from "./descriptor.ts";
import { entitiesOf, liveFromEntities, type OpengearLive } from "./live-state.ts";
import { normalizeOpengear } from "./normalize.ts";
import { parseExport } from "./ogcli-format.ts";
import { planCommands } from "./plan-commands.ts";
import { type OpengearLiveState, readOpengear, tailscaleRunning } from "./read.ts";
import { EXPORT_ARTIFACT, TAILSCALE_ARTIFACT } from "./read-script.ts";

/** The entities behind a live state: carried by read, else parsed again from the export artifact. */
export function opengearLiveOf(live: LiveState): OpengearLive {
  const carried = (live as OpengearLiveState).opengear;
  if (carried) return carried;
  // A copy of the live state (a saved plan): the artifact is the redacted export.
  const parsed = liveFromEntities(entitiesOf(parseExport(live.artifacts[EXPORT_ARTIFACT] ?? "")));
  if (tailscaleRunning(live.artifacts[TAILSCALE_ARTIFACT]))
    parsed.state.management_vpn = { type: "tailscale" };
  return parsed;
}

function unmanagedEntries(live: LiveState): Unmanaged[] {
  return opengearLiveOf(live).unmanaged.map((u) => ({ path: `ogcli:${u.key}`, value: u.fields }));
}

export const opengearDriver: Driver = {
  platform: "opengear",
  descriptor: opengearDescriptor,
  read: readOpengear,
  candidate: (intent, _device, live) => ({
    kind: "commands",
    commands: planCommands(intent, opengearLiveOf(live)),
  }),
  normalize: normalizeOpengear,
  // The store does not say who created an entity: nothing is deleted because git dropped it
  // (a user or a tunnel git does not name is reported as unmanaged).
  owned: () => new Set<string>(),
  unmanaged: unmanagedEntries,
  healthProbes: opengearHealthProbes,
};
