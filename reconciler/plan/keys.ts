// How the items of each list in the desired-state model are identified, so that two lists are
// compared item by item (a WireGuard peer by its public key, a BGP neighbour by its address)
// instead of by position. Lists of scalars are sets. Lists not named here are compared whole,
// in order (firewall rules: their order is their meaning). The raw escape hatches are each
// platform's own: its descriptor says how their items compare (rawListRules).
import type { ListRules, PlatformRules } from "../model/platform.ts";

/** Schema path (list names joined by '.', without indexes) → the field that identifies an item. */
export const LIST_KEYS: Readonly<Record<string, string>> = {
  interfaces: "name",
  wireguard: "name",
  "wireguard.peers": "public_key",
  "ospf.instances": "name",
  "ospf.instances.areas": "id",
  "ospf.instances.areas.interfaces": "name",
  "bgp.neighbors": "address",
  static_routes: "prefix",
  "firewall.aliases": "name",
  serial_ports: "port",
  users: "name",
  "snmp.v3_users": "name",
};

/** Lists compared whole and in order, even though their items are scalars. */
export const ORDERED_LISTS: ReadonlySet<string> = new Set(["firewall.rules"]);

/**
 * Top-level collections the device shares with things git does not describe (the router's own
 * management interface, a tunnel someone else set up). An item there that git does not name is
 * reported as unmanaged, unless the driver recognizes it as one the reconciler created.
 */
export const SHARED_COLLECTIONS: ReadonlySet<string> = new Set(["interfaces", "wireguard", "users"]);

/** The list rules of a platform's raw escape hatches, at their schema paths ("raw.<kind>"). */
export function rawListRules(raw: PlatformRules["raw"]): ListRules {
  const keys: Record<string, string> = {};
  const ordered: string[] = [];
  for (const [kind, items] of Object.entries(raw)) {
    if (items && "key" in items) keys[`raw.${kind}`] = items.key;
    else if (items && "ordered" in items) ordered.push(`raw.${kind}`);
  }
  return { keys, ordered };
}
