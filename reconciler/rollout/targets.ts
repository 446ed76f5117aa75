// What the executor needs per device with changes, from the plan and the fleet as it was read:
// the candidate rendered against that live state, the health probes, the public keys git holds.
// Every entry point that rolls out (the CLI, the GitOps loop, CI) builds its targets here.
import type { ApplyTarget } from "../apply/executor.ts";
import { healthProbes } from "../apply/expectations.ts";
import type { Driver } from "../drivers/driver.ts";
import type { HealthProbe } from "../drivers/health.ts";
import type { LiveState } from "../model/live.ts";
import type { Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import type { DeviceInput } from "../plan/planner.ts";

export function applyTargets(
  repo: DesiredRepo,
  plan: Plan,
  inputs: readonly DeviceInput[],
  drivers: Readonly<Partial<Record<string, Driver>>>,
): ApplyTarget[] {
  return plan.devices
    .filter((d) => d.status === "changes")
    .map((d) => {
      const input = inputs.find((i) => i.device.name === d.device);
      const driver = drivers[d.platform];
      if (!input || "error" in input.live || !driver)
        throw new Error(`internal: ${d.device} has changes but no live state`);
      const live = input.live as LiveState;
      return {
        device: input.device,
        intent: input.desired,
        candidate: driver.candidate(input.desired, input.device, live),
        live,
        probes: withPlatformProbes(healthProbes(repo, d.device), driver.healthProbes?.(input.desired) ?? []),
        publicKeys: repo.publicKeys[d.device] ?? {},
      };
    });
}

/** The longest OSPF dead interval among the changed devices: how long a broken adjacency can look alive. */
export function defaultHealthSoak(targets: readonly ApplyTarget[]): number {
  let soak = 0;
  for (const t of targets) {
    for (const inst of t.intent.ospf?.instances ?? []) {
      for (const area of inst.areas)
        for (const i of area.interfaces ?? []) if (!i.passive) soak = Math.max(soak, i.dead ?? 0);
    }
  }
  return soak;
}

/** The link probes, then the platform's own, each once (a management VPN may also be a link). */
function withPlatformProbes(links: HealthProbe[], platform: HealthProbe[]): HealthProbe[] {
  const seen = new Set(links.map((p) => JSON.stringify(p)));
  const key = (p: HealthProbe) =>
    p.kind === "wireguard-tunnel" ? `wg|${p.interface}|${p.publicKey}` : JSON.stringify(p);
  const tunnels = new Set(links.map(key));
  return [...links, ...platform.filter((p) => !seen.has(JSON.stringify(p)) && !tunnels.has(key(p)))];
}
