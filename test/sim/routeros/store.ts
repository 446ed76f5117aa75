// The configuration state: items per menu, each with its .id (*HEX). An id is given once, never
// reused, and stays with its item for its life (help.mikrotik.com "API": ".id"; the same in CLI,
// API and REST). Interface menus share one table (and one id sequence), as /interface shows them.
import { MENU_BY_PATH, MENUS } from "./schema.ts";

export interface StoredItem {
  id: number;
  values: Record<string, string>;
  /** Built in (ethernet ports, the default BGP template): `set`, never `add`/`remove`. */
  builtin?: boolean;
}

export interface StateData {
  format: 1;
  counters: Record<string, number>;
  menus: Record<string, StoredItem[]>;
  globals: Record<string, string>;
}

export const formatId = (id: number): string => `*${id.toString(16).toUpperCase()}`;

export function parseId(text: string): number | undefined {
  return /^\*[0-9A-Fa-f]+$/.test(text) ? Number.parseInt(text.slice(1), 16) : undefined;
}

const table = (path: string): string => (MENU_BY_PATH.get(path)?.interfaceMenu ? "interface" : path);

export class Store {
  /** `/system resource` (not configuration: set by the engine at boot). */
  resource: Record<string, string> = {};
  /** `/system clock` (computed from the engine's clock). */
  clock: Record<string, string> = {};

  constructor(readonly data: StateData) {}

  static fresh(opts: { ethernets: number }): Store {
    const s = new Store({ format: 1, counters: {}, menus: {}, globals: {} });
    for (const m of MENUS) if (!m.view) s.data.menus[m.path] = [];
    for (let i = 1; i <= opts.ethernets; i++) {
      s.add("interface ethernet", { name: `ether${i}`, "default-name": `ether${i}` }, true);
    }
    s.add("routing bgp template", { name: "default" }, true);
    s.add("system identity", {}, true);
    s.singletons();
    return s;
  }

  /** Every settings menu (`/system identity`, `/ip dns`) has its one item, also in older states. */
  private singletons(): void {
    for (const m of MENUS)
      if (m.singleton && !m.view && (this.data.menus[m.path] ?? []).length === 0) this.add(m.path, {}, true);
  }

  static fromJSON(text: string): Store {
    const data = JSON.parse(text) as StateData;
    for (const m of MENUS) if (!m.view) data.menus[m.path] ??= [];
    const store = new Store(data);
    store.singletons();
    return store;
  }

  /** What survives a reboot: the configuration, not the global variables (they live in memory). */
  toJSON(): string {
    return JSON.stringify({ ...this.data, globals: {} }, null, 1);
  }

  list(path: string): StoredItem[] {
    if (path === "interface") return this.interfaces();
    if (path === "system resource") return [{ id: 1, values: this.resource, builtin: true }];
    if (path === "system clock") return [{ id: 1, values: this.clock, builtin: true }];
    return this.data.menus[path] ?? [];
  }

  /** `/interface`: a read-only view of every interface menu, in id order, with its type. */
  private interfaces(): StoredItem[] {
    const types: Record<string, string> = {
      "interface ethernet": "ether",
      "interface bridge": "bridge",
      "interface wireguard": "wg",
    };
    return MENUS.filter((m) => m.interfaceMenu)
      .flatMap((m) =>
        (this.data.menus[m.path] ?? []).map((i) => ({
          id: i.id,
          values: {
            ...i.values,
            type: types[m.path] ?? "",
            mtu: i.values.mtu ?? m.props.find((p) => p.name === "mtu")?.default ?? "",
          },
        })),
      )
      .sort((a, b) => a.id - b.id);
  }

  add(path: string, values: Record<string, string>, builtin = false, before?: number): StoredItem {
    const t = table(path);
    const id = (this.data.counters[t] ?? 0) + 1;
    this.data.counters[t] = id;
    const item: StoredItem = builtin ? { id, values, builtin } : { id, values };
    const items = this.list(path);
    if (before !== undefined) {
      const at = items.findIndex((i) => i.id === before);
      items.splice(at < 0 ? items.length : at, 0, item);
    } else items.push(item);
    return item;
  }

  remove(path: string, id: number): void {
    const items = this.list(path);
    const at = items.findIndex((i) => i.id === id);
    if (at >= 0) items.splice(at, 1);
  }

  byId(path: string, id: number): StoredItem | undefined {
    return this.list(path).find((i) => i.id === id);
  }

  /** Every interface name (bridge, wireguard, ethernet) and the built-in loopback `lo`. */
  interfaceNames(): string[] {
    return [
      "lo",
      ...MENUS.filter((m) => m.interfaceMenu).flatMap((m) =>
        this.list(m.path).map((i) => i.values.name ?? ""),
      ),
    ];
  }
}
