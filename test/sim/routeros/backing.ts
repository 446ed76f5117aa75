// What stands behind the simulated configuration: without a backing (unit tests) the simulator is
// configuration only, and its operational menus are empty; with one (the lab's Linux backing) the
// WireGuard tunnels, addresses and routing daemons are real and these menus show what they report.
import type { Store } from "./store.ts";

/** One row of an operational menu: RouterOS property names to printed values. */
export type LiveRow = Record<string, string>;

export interface Backing {
  /** Makes the real system match the configuration (at boot and after each change). */
  sync(store: Store): void;
  /** `/routing ospf neighbor`: the daemon's neighbours. */
  ospfNeighbors(store: Store): LiveRow[];
  /** `/routing bgp session`: the daemon's sessions (`established=yes` sets the E flag). */
  bgpSessions(store: Store): LiveRow[];
  /** `/ip route`: the routes the daemons learnt (`dynamic`, `active`, `ospf`/`bgp` set the flags). */
  routes(store: Store): LiveRow[];
  /** Runtime values of one WireGuard peer (last-handshake, rx, tx, current endpoint). */
  wireguardPeer(iface: string, publicKey: string): LiveRow | undefined;
}
