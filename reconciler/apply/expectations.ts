// What a healthy device looks like after a change, derived from the desired state (never
// guessed), as health probes: its OSPF neighbours over each link, each link's tunnel proven after
// the commit, and the neighbours' stub networks in its forwarding table. Pure.
import type { HealthProbe } from "../drivers/health.ts";
import { endAddresses } from "../intent/links.ts";
import { parsePrefix } from "../model/ip.ts";
import type { DesiredRepo } from "../model/repo.ts";

export function healthProbes(repo: DesiredRepo, device: string): HealthProbe[] {
  const ospf: HealthProbe[] = [];
  const tunnels: HealthProbe[] = [];
  const routes = new Set<string>();
  const mine = repo.expanded[device];
  const families = new Set(
    (mine?.ospf?.instances ?? []).map((i) => i.address_family ?? (i.version === 2 ? "ipv4" : "ipv6")),
  );
  for (const link of repo.links) {
    const index = link.ends.findIndex((e) => e.device === device);
    const end = link.ends[index];
    const other = link.ends[index === 0 ? 1 : 0];
    if (index < 0 || !end || !other) continue;
    const key = repo.publicKeys[other.device]?.[other.interface];
    // The peer's first address inside the tunnel: the health check pings it, so the tunnel must
    // carry traffic after the commit even when nothing else flows through it.
    const probe = endAddresses(link, index === 0 ? 1 : 0)[0]?.replace(/\/\d+$/, "");
    if (key)
      tunnels.push({
        kind: "wireguard-tunnel",
        interface: end.interface,
        publicKey: key,
        ...(probe ? { probe } : {}),
      });
    const neighbour = repo.expanded[other.device]?.ospf;
    if (!link.ospf || !neighbour || !mine?.ospf) continue;
    ospf.push({ kind: "ospf-adjacency", interface: end.interface, routerId: neighbour.router_id });
    // The neighbour's own networks must arrive over OSPF, in every family both ends route.
    for (const instance of neighbour.instances) {
      for (const area of instance.areas) {
        for (const net of area.stub_networks ?? []) {
          const p = parsePrefix(net);
          if (p && families.has(p.family === 4 ? "ipv4" : "ipv6")) routes.add(net);
        }
      }
    }
  }
  return [
    ...ospf,
    ...tunnels,
    ...[...routes].sort().map((prefix): HealthProbe => ({ kind: "route", prefix })),
  ];
}
