// What `print`, `find` and `get` see: the configuration, plus what a backing reports — the
// operational menus' rows (OSPF neighbours, BGP sessions), the routes the daemons learnt beside the
// static ones, the WireGuard peers' runtime values. Without a backing, operational menus are empty
// and the configuration shows nothing invented.
import type { Backing } from "./backing.ts";
import type { Menu } from "./schema.ts";
import type { Store, StoredItem } from "./store.ts";

/** Ids of rows that are not configuration items (RouterOS shows dynamic ids high, `*8000000A`). */
const LIVE_ID = 0x80000000;

export function visibleItems(menu: Menu, store: Store, backing: Backing | undefined): StoredItem[] {
  const items = store.list(menu.path);
  switch (menu.path) {
    case "routing ospf neighbor":
      return live(backing?.ospfNeighbors(store) ?? []);
    case "routing bgp session":
      return live(backing?.bgpSessions(store) ?? []);
    case "ip route": {
      // a static route is flagged s, and A while enabled (the kernel's copy is bird's business)
      const statics = items.map((i) => ({
        ...i,
        values: { ...i.values, static: "yes", ...(i.values.disabled === "yes" ? {} : { active: "yes" }) },
      }));
      return [...statics, ...live(backing?.routes(store) ?? [])];
    }
    case "interface wireguard peers":
      if (!backing) return items;
      return items.map((i) => {
        const rt = backing.wireguardPeer(i.values.interface ?? "", i.values["public-key"] ?? "");
        return rt ? { ...i, values: { ...i.values, ...rt } } : i;
      });
    default:
      return items;
  }
}

function live(rows: Record<string, string>[]): StoredItem[] {
  return rows.map((values, n) => ({ id: LIVE_ID + n, values, builtin: true }));
}
