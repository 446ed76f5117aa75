// The part of one device's state a management path depends on, on both sides of its plan: the
// addresses on each interface or tunnel, and the static routes. The plan carries only what
// changes, so the side before the plan is rebuilt from the desired side by undoing each change.
import type { Change } from "../../model/plan.ts";
import type { DeviceIntent, StaticRoute } from "../../schema/device.ts";

/** An interface or tunnel, named by its path in the model: "interfaces[eth0]", "wireguard[wg-b]". */
export type Container = string;

export interface PathState {
  /** Container → the addresses written on it (prefix notation, as in the model). */
  addresses: Map<Container, string[]>;
  /** WireGuard tunnel → the public keys of its peers: which device is at the other end. */
  peers: Map<Container, string[]>;
  /** Static routes by prefix. */
  routes: Map<string, StaticRoute>;
}

export interface DeviceSides {
  before: PathState;
  after: PathState;
}

const CONTAINER = /^((?:interfaces|wireguard)\[[^\]]+\])(.*)$/;
const ROUTE = /^static_routes\[([^\]]+)\](?:\.([a-z_]+))?$/;

function desiredSide(intent: DeviceIntent | undefined): PathState {
  const addresses = new Map<Container, string[]>();
  for (const i of intent?.interfaces ?? []) addresses.set(`interfaces[${i.name}]`, [...(i.addresses ?? [])]);
  for (const w of intent?.wireguard ?? []) addresses.set(`wireguard[${w.name}]`, [...(w.addresses ?? [])]);
  const peers = new Map<Container, string[]>();
  for (const w of intent?.wireguard ?? [])
    peers.set(
      `wireguard[${w.name}]`,
      w.peers.map((p) => p.public_key),
    );
  const routes = new Map((intent?.static_routes ?? []).map((r) => [r.prefix, { ...r }] as const));
  return { addresses, peers, routes };
}

const stringsIn = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];

const addressesIn = (item: unknown): string[] =>
  typeof item === "object" && item !== null ? stringsIn((item as { addresses?: unknown }).addresses) : [];

const keysIn = (item: unknown): string[] => {
  const peers = typeof item === "object" && item !== null ? (item as { peers?: unknown }).peers : undefined;
  return Array.isArray(peers)
    ? peers.flatMap((p) => stringsIn((p as { public_key?: unknown })?.public_key))
    : [];
};

/** A list with what a change created taken out and what it deleted put back. */
const undone = (list: string[], created: string[], deleted: string[]) => [
  ...list.filter((a) => !created.includes(a)),
  ...deleted.filter((a) => !list.includes(a)),
];

/** Undo one change on the interface view: what was created goes, what was deleted comes back. */
function undoInterfaceChange(state: PathState, change: Change): void {
  const m = CONTAINER.exec(change.path);
  if (!m?.[1]) return;
  const container = m[1];
  const rest = m[2] ?? "";
  if (rest === "") {
    if (change.action === "create") {
      state.addresses.delete(container);
      state.peers.delete(container);
      return;
    }
    state.addresses.set(
      container,
      undone(state.addresses.get(container) ?? [], addressesIn(change.after), addressesIn(change.before)),
    );
    if (container.startsWith("wireguard["))
      state.peers.set(
        container,
        undone(state.peers.get(container) ?? [], keysIn(change.after), keysIn(change.before)),
      );
  } else if (rest === ".addresses" || rest.startsWith(".addresses[")) {
    state.addresses.set(
      container,
      undone(state.addresses.get(container) ?? [], stringsIn(change.after), stringsIn(change.before)),
    );
  } else {
    // A whole peer, created or deleted: its key is in the path.
    const peer = /^\.peers\[([^\]]+)\]$/.exec(rest)?.[1];
    if (peer === undefined || change.action === "update") return;
    const created = change.action === "create" ? [peer] : [];
    const deleted = change.action === "delete" ? [peer] : [];
    state.peers.set(container, undone(state.peers.get(container) ?? [], created, deleted));
  }
}

function undoRouteChange(routes: Map<string, StaticRoute>, change: Change): void {
  const m = ROUTE.exec(change.path);
  if (!m?.[1]) return;
  const prefix = m[1];
  const field = m[2];
  if (field === undefined) {
    if (change.action === "create") routes.delete(prefix);
    else if (typeof change.before === "object" && change.before !== null)
      routes.set(prefix, change.before as StaticRoute);
    return;
  }
  const route = routes.get(prefix);
  if (!route) return;
  const copy: Record<string, unknown> = { ...route };
  if (change.before === undefined) delete copy[field];
  else copy[field] = change.before;
  routes.set(prefix, copy as unknown as StaticRoute);
}

export function deviceSides(intent: DeviceIntent | undefined, changes: readonly Change[]): DeviceSides {
  const after = desiredSide(intent);
  const before = desiredSide(intent);
  for (const change of changes) {
    undoInterfaceChange(before, change);
    undoRouteChange(before.routes, change);
  }
  return { before, after };
}
