// How the items of each list in the desired-state model are identified, so that two lists are
// compared item by item (a WireGuard peer by its public key, a BGP neighbour by its address)
// instead of by position. Lists of scalars are sets. Lists not named here are compared whole,
// in order (firewall rules: their order is their meaning).

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
  "raw.opnsense": "path",
  "raw.opengear": "entity",
};

/** Lists compared whole and in order, even though their items are scalars. */
export const ORDERED_LISTS: ReadonlySet<string> = new Set(["firewall.rules", "raw.routeros"]);

/**
 * Top-level collections the device shares with things git does not describe (the router's own
 * management interface, a tunnel someone else set up). An item there that git does not name is
 * reported as unmanaged, unless the driver recognizes it as one the reconciler created.
 */
export const SHARED_COLLECTIONS: ReadonlySet<string> = new Set(["interfaces", "wireguard", "users"]);
