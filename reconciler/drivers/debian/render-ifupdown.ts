// /etc/network/interfaces.d/reconciler: the persistent form of the managed interfaces, for
// Debian's ifupdown (0.8). ifupdown has no method that creates dummy, bridge or VLAN links by
// itself (VLANs only for names with a dot), so each such stanza creates its link in pre-up and
// deletes it in post-down. One stanza per address, as interfaces(5) describes; the first one
// carries the link commands and the MTU. Links are written parents first: loopback, dummy,
// bridge, ethernet, then VLANs.

import { byKey, canonInterfaceAddress, compareText, familyOf, ipSet } from "../../model/canonical.ts";
import type { NetInterface } from "../../schema/device.ts";
import { ifname, lineText, word } from "./guard.ts";
import { MANAGED_MARK } from "./paths.ts";

export const KIND_ORDER: Record<NetInterface["kind"], number> = {
  loopback: 0,
  dummy: 1,
  bridge: 2,
  ethernet: 3,
  vlan: 4,
};

/** The pre-up command that creates a link of this kind, or undefined for links that exist by themselves. */
export function createCommand(i: NetInterface): string | undefined {
  const name = ifname(i.name);
  switch (i.kind) {
    case "dummy":
      return `ip link add dev ${name} type dummy`;
    case "bridge":
      return `ip link add dev ${name} type bridge`;
    case "vlan": {
      const parent = ifname(i.vlan?.parent ?? "", "a VLAN parent");
      return `ip link add link ${parent} name ${name} type vlan id ${word(i.vlan?.id ?? 0, "a VLAN id")}`;
    }
    default:
      return undefined;
  }
}

export function deleteCommand(name: string): string {
  return `ip link del dev ${ifname(name)}`;
}

function stanzas(i: NetInterface): string[] {
  const name = ifname(i.name);
  const addresses = ipSet(i.addresses ?? [], canonInterfaceAddress).map((a) => word(a, "an address"));
  const out: string[] = [];
  out.push(`# ${name} (${i.kind})${i.description ? `: ${lineText(i.description, "a description")}` : ""}`);
  out.push(`auto ${name}`);
  const first = addresses[0];
  const create = createCommand(i);
  const options: string[] = [];
  if (create) options.push(`pre-up ${create} || true`);
  if (first !== undefined) options.push(`address ${first}`);
  if (i.mtu !== undefined) options.push(`mtu ${word(i.mtu, "an MTU")}`);
  if (create) options.push(`post-down ${deleteCommand(name)} || true`);
  const head = (address: string | undefined) =>
    address === undefined
      ? `iface ${name} inet manual`
      : `iface ${name} ${familyOf(address) === "ipv4" ? "inet" : "inet6"} static`;
  out.push(head(first), ...options.map((o) => `\t${o}`));
  for (const a of addresses.slice(1)) out.push(head(a), `\taddress ${a}`);
  return out;
}

export function renderIfupdown(interfaces: readonly NetInterface[], device: string): string {
  const sorted = [...interfaces].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byKey((i: NetInterface) => i.name, compareText)(a, b),
  );
  const blocks = [
    [
      `# ${MANAGED_MARK} for ${lineText(device, "a device name")}: generated from the desired state in git.`,
      "# Local changes are reported as drift and overwritten by the next apply.",
    ],
    ...sorted.map(stanzas),
  ];
  return `${blocks.map((b) => b.join("\n")).join("\n\n")}\n`;
}
