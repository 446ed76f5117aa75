// Item-level rules: what RouterOS refuses about a whole item (missing values, dangling references,
// duplicates) and what it computes itself (network=, WireGuard keys and port, owners, dates).

import type { Ctx, Engine } from "./engine.ts";
import { alreadyHave, missingValues, noMatchingValue, RosError } from "./errors.ts";
import type { Menu } from "./schema.ts";
import type { StoredItem } from "./store.ts";
import { networkOf } from "./values.ts";
import { generatePrivateKey, publicKeyOf } from "./wgkeys.ts";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Scheduler dates: `mar/01/2018` (before 7.10) or `2018-03-01` (7.10 on), kept as the latter. */
function isoDate(text: string): string {
  const m = /^([a-z]{3})\/(\d\d)\/(\d{4})$/i.exec(text);
  if (!m) return text;
  const month = MONTHS.indexOf((m[1] ?? "").toLowerCase()) + 1;
  return `${m[3]}-${String(month).padStart(2, "0")}-${m[2]}`;
}

/** Refuses what RouterOS refuses about a whole item: missing values, dangling references, duplicates. */
export function checkItem(
  engine: Engine,
  menu: Menu,
  values: Record<string, string>,
  self: StoredItem | undefined,
): void {
  const missing = (menu.required ?? []).filter((r) => values[r] === undefined);
  if (!self && missing.length) throw missingValues(missing);
  const others = engine.store.list(menu.path).filter((i) => i !== self);
  for (const p of menu.props) {
    const v = values[p.name];
    if (v === undefined) continue;
    if (p.type === "interface") {
      const allowed =
        menu.path === "interface wireguard peers"
          ? engine.store.list("interface wireguard").map((i) => i.values.name)
          : engine.store.interfaceNames();
      if (!allowed.includes(v)) throw noMatchingValue(p.name);
    }
    if (p.type === "interfaces") {
      const names = [...engine.store.interfaceNames(), "all", "dynamic", "static", "none"];
      if (v.split(",").some((n) => !names.includes(n))) throw noMatchingValue(p.name);
    }
  }
  const refs: [string, string, string][] = [
    ["routing ospf area", "instance", "routing ospf instance"],
    ["routing ospf interface-template", "area", "routing ospf area"],
  ];
  for (const [path, key, target] of refs) {
    if (menu.path === path && values[key] !== undefined) {
      if (!engine.store.list(target).some((i) => i.values.name === values[key])) throw noMatchingValue(key);
    }
  }
  if (menu.path === "routing bgp connection" && values.templates !== undefined) {
    const names = engine.store.list("routing bgp template").map((i) => i.values.name);
    if (values.templates.split(",").some((t) => !names.includes(t))) throw noMatchingValue("templates");
  }
  if (menu.interfaceMenu) {
    const taken = engine.store.interfaceNames().filter((n) => n !== self?.values.name);
    if (taken.includes(values.name ?? "")) throw alreadyHave("interface with such name");
  } else if (
    menu.nameProp &&
    others.some((i) => i.values[menu.nameProp as string] === values[menu.nameProp as string])
  ) {
    throw new RosError("failure: item with such name already exists");
  }
  if (menu.path === "ip address" || menu.path === "ipv6 address") {
    if (others.some((i) => i.values.address === values.address && i.values.interface === values.interface)) {
      throw alreadyHave("such address");
    }
  }
  if (menu.path === "interface wireguard peers") {
    if (
      others.some(
        (i) => i.values["public-key"] === values["public-key"] && i.values.interface === values.interface,
      )
    ) {
      throw alreadyHave("peer with such public key");
    }
  }
}

/** Values RouterOS computes: network=, WireGuard keys and port, owners, scheduler start, file size. */
export function deriveValues(
  engine: Engine,
  menu: Menu,
  values: Record<string, string>,
  changed: Map<string, string>,
  ctx: Ctx,
  adding: boolean,
): void {
  if (menu.path === "ip address" && changed.has("address") && !changed.has("network")) {
    values.network = networkOf(values.address ?? "");
  }
  if (menu.path === "interface wireguard") {
    if (adding && values["private-key"] === undefined) values["private-key"] = generatePrivateKey();
    if (changed.has("private-key") || adding) {
      if (values["private-key"] === "") values["private-key"] = generatePrivateKey();
      values["public-key"] = publicKeyOf(values["private-key"] ?? "");
    }
    if (values["listen-port"] === undefined) {
      const used = engine.store.list(menu.path).map((i) => Number(i.values["listen-port"]));
      let port = 13231;
      while (used.includes(port)) port++;
      values["listen-port"] = String(port);
    }
  }
  if (adding && (menu.path === "system script" || menu.path === "system scheduler")) {
    values.owner = ctx.user;
    values["run-count"] = "0";
  }
  if (menu.path === "file" && changed.has("contents")) {
    values.size = String(Buffer.byteLength(values.contents ?? ""));
  }
  if (menu.path === "system scheduler" && values["start-date"] !== undefined) {
    values["start-date"] = isoDate(values["start-date"]);
  }
  if (menu.path === "system scheduler" && adding && values["start-time"] === undefined) {
    if (values.interval !== undefined && values.interval !== "0s") {
      const now = engine.now();
      values["start-date"] ??= now.toISOString().slice(0, 10);
      values["start-time"] = now.toISOString().slice(11, 19);
    } else values["start-time"] = "startup";
  }
}
