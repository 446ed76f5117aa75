// Which changed devices change their out-of-band path: the plan changes their `management_vpn`
// section, or the WireGuard interface that section names (its keys, peers, addresses). Pure;
// platform-neutral (the section is the model's, whatever the box).
import type { Plan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";

export function outOfBandChanges(plan: Plan, repo: DesiredRepo): string[] {
  const out: string[] = [];
  for (const d of plan.devices) {
    if (d.status !== "changes") continue;
    const vpn = repo.expanded[d.device]?.management_vpn;
    const iface = vpn && "interface" in vpn ? vpn.interface : undefined;
    const touches = d.changes.some(
      (c) =>
        c.path === "management_vpn" ||
        c.path.startsWith("management_vpn.") ||
        (iface !== undefined &&
          (c.path === `wireguard[${iface}]` || c.path.startsWith(`wireguard[${iface}].`))),
    );
    if (touches) out.push(d.device);
  }
  return out.sort();
}
