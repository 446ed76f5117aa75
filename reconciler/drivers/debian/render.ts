// renderDebian: the exact content of every file the desired state becomes on a Debian router.
// Pure and byte-stable: the same intent gives the same bytes (sets and keyed lists are sorted).
// Sections the intent does not have produce no file (absent, not null): a WireGuard file the
// device has and git no longer has is the planner's to remove.

import { compareText } from "../../model/canonical.ts";
import type { FilesCandidate } from "../../model/live.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { DeviceIntent } from "../../schema/device.ts";
import { BIRD_CONF, FRR_CONF, IFUPDOWN_CONF, SYSCTL_CONF, wireguardConfPath } from "./paths.ts";
import { renderBirdConf } from "./render-bird.ts";
import { renderFrrConf } from "./render-frr.ts";
import { renderIfupdown } from "./render-ifupdown.ts";
import { renderSysctlConf } from "./render-sysctl.ts";
import { renderWireguardConf } from "./render-wireguard.ts";

export function renderDebian(intent: DeviceIntent, device: ResolvedDevice): FilesCandidate {
  const files: Record<string, string> = {};
  for (const w of intent.wireguard ?? [])
    files[wireguardConfPath(w.name)] = renderWireguardConf(w, device.name);
  if (intent.routing_daemon === "bird") files[BIRD_CONF] = renderBirdConf(intent, device.name);
  if (intent.routing_daemon === "frr") files[FRR_CONF] = renderFrrConf(intent, device.name);
  if (intent.forwarding) files[SYSCTL_CONF] = renderSysctlConf(intent.forwarding, device.name);
  if (intent.interfaces && intent.interfaces.length > 0) {
    files[IFUPDOWN_CONF] = renderIfupdown(intent.interfaces, device.name);
  }
  const sorted: Record<string, string> = {};
  for (const path of Object.keys(files).sort(compareText)) sorted[path] = files[path] as string;
  return { kind: "files", files: sorted };
}
