// Edits a test makes through the GUI writer, shaped like what the GUI pages store: a legacy rule's
// description (<filter><rule><descr>, firewall_rules_edit.php), a firewall alias (the MVC model
// //OPNsense/Firewall/Alias, items with a v4 uuid attribute), any value by path, or the whole
// document replaced (a config written by hand, saved as the GUI would).
import { randomUUID } from "node:crypto";
import { at, child, childrenNamed, el, parseXml, type XmlElement } from "./xml.ts";

export class EditError extends Error {}

/** The element at a slash path below the root, created (empty) where missing. */
export function ensurePath(root: XmlElement, path: string): XmlElement {
  let cur = root;
  for (const step of path.split("/").filter(Boolean)) {
    if (!/^[A-Za-z_][\w.-]*$/.test(step)) throw new EditError(`bad path step ${JSON.stringify(step)}`);
    let next = child(cur, step);
    if (!next) {
      next = el(step);
      cur.children.push(next);
      cur.text = "";
    }
    cur = next;
  }
  return cur;
}

/** Sets the text at a slash path below the root, creating the missing elements. */
export function setPath(root: XmlElement, path: string, value: string): void {
  const e = ensurePath(root, path);
  if (e.children.length > 0) throw new EditError(`${path} has children`);
  e.text = value;
}

/** The description of the n-th (1-based) legacy rule under <filter>. */
export function setRuleDescription(root: XmlElement, n: number, descr: string): void {
  const rule = childrenNamed(at(root, "filter"), "rule")[n - 1];
  if (!rule) throw new EditError(`no filter rule #${n}`);
  const d = child(rule, "descr");
  if (d) d.text = descr;
  else rule.children.push(el("descr", descr));
}

/** Adds a host/network alias to //OPNsense/Firewall/Alias; returns its uuid. */
export function addAlias(
  root: XmlElement,
  name: string,
  type: string,
  content: string[],
  description = "",
): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(name))
    throw new EditError(`bad alias name ${JSON.stringify(name)}`);
  const aliases = ensurePath(root, "OPNsense/Firewall/Alias/aliases");
  const uuid = randomUUID();
  aliases.children.push(
    el(
      "alias",
      [
        el("enabled", "1"),
        el("name", name),
        el("type", type),
        el("proto"),
        el("interface"),
        el("counters", "0"),
        el("updatefreq"),
        el("content", content.join("\n")),
        el("categories"),
        el("description", description),
      ],
      [["uuid", uuid]],
    ),
  );
  return uuid;
}

/** Replaces the whole document (keeping the root object, which the writer holds). */
export function replaceWith(root: XmlElement, xml: string): void {
  const next = parseXml(xml);
  if (next.name !== "opnsense") throw new EditError(`root element is <${next.name}>, not <opnsense>`);
  root.children = next.children;
  root.attrs = next.attrs;
  root.text = "";
}
