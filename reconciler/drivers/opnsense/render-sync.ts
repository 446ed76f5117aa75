// The building blocks of the render: an item's fields compared with what is wanted and edited
// in place, a list of items matched by UUID then by natural key, a model element created with
// OPNsense's version attribute. Pure.

import type { DeviceIntent } from "../../schema/device.ts";
import { MODEL_VERSIONS } from "./paths.ts";
import type { stableUuid } from "./uuid.ts";
import type { ConfigView, Item } from "./view.ts";
import { child, type XmlElement } from "./xml.ts";
import { canonOf, canonOfNode, type Handle, type XmlEditor, type XNode } from "./xml-edit.ts";

/** A field of an item: a leaf value ("" is an empty element), a composite element, or null: absent. */
export type Field = [string, string | XNode | null];

export interface Want {
  uuid: string;
  /** The natural key a hand-made item is matched by. */
  key: string;
  fields: Field[];
}

/** What git asks for cannot be built on this box as it is (the plan shows it as this device's error). */
export class CandidateError extends Error {}

export const bool = (b: boolean | undefined) => (b ? "1" : "0");
export const num = (n: number | undefined) => (n === undefined ? "" : String(n));

export function newItem(name: string, w: Want): XNode {
  return {
    name,
    attrs: [["uuid", w.uuid]],
    children: w.fields.flatMap(([n, v]) =>
      v === null ? [] : typeof v === "string" ? [{ name: n, value: v }] : [v],
    ),
  };
}

/** Fields of an element of the document, or of one still to be written (then simply its children). */
export function syncAt(ed: XmlEditor, h: Handle, fields: Field[]): void {
  if ("el" in h) syncFields(ed, h.el, fields);
  else
    for (const [n, v] of fields)
      if (v !== null) ed.append(h, typeof v === "string" ? { name: n, value: v } : v);
}

export function syncFields(ed: XmlEditor, el: XmlElement, fields: Field[]): void {
  for (const [name, want] of fields) {
    const have = child(el, name);
    if (want === null) {
      if (have) ed.remove(have);
    } else if (typeof want === "string") {
      if (!have) ed.append({ el }, { name, value: want });
      else if (have.children.length > 0) ed.replace(have, { name, value: want });
      else if (have.text.trim() !== want) ed.setText(have, want);
    } else if (!have) ed.append({ el }, want);
    else if (canonOf(have) !== canonOfNode(want)) ed.replace(have, want);
  }
}

/** Matches wanted items to live ones (UUID, then key), edits, appends the new, removes the owned rest. */
export function syncList(
  ed: XmlEditor,
  container: Handle,
  itemName: string,
  live: Item[],
  wants: Want[],
): void {
  const used = new Set<Item>();
  for (const w of wants) {
    const found =
      live.find((i) => !used.has(i) && i.uuid === w.uuid) ??
      live.find((i) => !used.has(i) && i.key === w.key);
    if (!found) {
      ed.append(container, newItem(itemName, w));
      continue;
    }
    used.add(found);
    if (found.uuid !== w.uuid) ed.setAttr(found.el, "uuid", w.uuid);
    syncFields(ed, found.el, w.fields);
  }
  for (const i of live) if (!used.has(i) && i.owned) ed.remove(i.el);
}

/** A model's element, created with OPNsense's version attribute when it does not exist yet. */
export function model(ed: XmlEditor, parent: Handle, path: string, name: string): Handle {
  const version = MODEL_VERSIONS[path];
  return ed.child(parent, name, version ? [["version", version]] : undefined);
}

/** What the parts of the render share: the editor, the view of the live text, and the naming. */
export interface RenderContext {
  readonly ed: XmlEditor;
  readonly v: ConfigView;
  readonly root: Handle;
  readonly intent: DeviceIntent;
  uuid(kind: Parameters<typeof stableUuid>[1], key: string): string;
  ident(dev: string, what: string): string;
}
