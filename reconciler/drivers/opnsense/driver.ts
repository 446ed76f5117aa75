// The OPNsense driver's pure half and read: everything is /conf/config.xml. read() is one round
// trip (the redacted config.xml, and the running WireGuard and FRR state when there); candidate()
// is the live text with the smallest edits that make the managed parts as git says (render.ts);
// normalize() the projection both sides are compared in; owned() the items whose UUID is the one
// the reconciler derives for them. The apply half lives in apply/ (not here).
import type { LiveState } from "../../model/live.ts";
import type { Unmanaged } from "../../model/plan.ts";
import type { Driver } from "../driver.ts";
import { firewallProbes } from "./apply/firewall-health.ts";
import { denormalizeOpnsense } from "./denormalize.ts";
import { opnsenseDescriptor } from "./descriptor.ts";
import { type OpnsenseLiveState, stateFromConfig } from "./live-state.ts";
import { normalizeOpnsense } from "./normalize.ts";
import { CONFIG_XML } from "./paths.ts";
import { readOpnsense } from "./read.ts";
import { renderConfig } from "./render.ts";

export { withoutRevision } from "./live-state.ts";
export { CONFIG_XML } from "./paths.ts";
export {
  DEVICE_TOKEN,
  declaredEnv,
  deviceSecretToken,
  ENV_TOKEN,
  envSecretToken,
  fillSecrets,
  redactConfig,
  secretElementNames,
  secretValues,
} from "./secrets.ts";
export { affectedServices, interfacesChanged, type OpnsenseService } from "./services.ts";
export { stableUuid } from "./uuid.ts";

/** What read carried, else parsed again from the artifact (a saved plan, a copy of the state). */
function details(live: LiveState): { owned: string[]; unmanaged: Unmanaged[] } {
  const l = live as Partial<OpnsenseLiveState>;
  if (l.ownedPaths && l.unmanagedItems) return { owned: l.ownedPaths, unmanaged: l.unmanagedItems };
  const s = stateFromConfig(live.artifacts[CONFIG_XML] ?? "", live.device);
  return { owned: s.owned, unmanaged: s.unmanaged };
}

function liveText(live: LiveState): string {
  const text = live.artifacts[CONFIG_XML];
  if (typeof text !== "string") throw new Error(`${CONFIG_XML} was not read: nothing to edit`);
  return text;
}

export const opnsenseDriver: Driver = {
  platform: "opnsense",
  descriptor: opnsenseDescriptor,
  read: readOpnsense,
  candidate: (intent, device, live) => ({
    kind: "files",
    files: { [CONFIG_XML]: renderConfig(intent, device.name, liveText(live)) },
  }),
  normalize: normalizeOpnsense,
  owned: (live) => new Set(details(live).owned),
  unmanaged: (live) => details(live).unmanaged,
  denormalize: denormalizeOpnsense,
};
