// Drift adoption: the commit of a drift pull request edits desired/ so that it describes what the
// device runs, and merging it accepts the drift. Each change of the device's plan is adopted where
// its desired value comes from: desired/<device>.yaml for the device's own values, desired/links.yaml
// for a link's (one end's OSPF cost, retransmit or wait as a per-end override). The files are
// edited through the yaml Document API, so comments, anchors and layout survive. Pure.
//
// Not adopted, each with its reason: running state (runtime.*: nothing in git describes it, apply
// restores it), a key the device runs that git does not record (`reconciler keys`), items git
// does not describe (unmanaged), and what a link must agree on at both ends (MTU, area, network
// type, hello and dead, authentication) or what one end's change would change on the other
// (addresses, listen port, endpoint, peers).
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  Document as YAMLDocument,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { canonAddress, canonInterfaceAddress, canonNetwork } from "../model/canonical.ts";
import type { LiveState } from "../model/live.ts";
import type { Change, DevicePlan } from "../model/plan.ts";
import type { DesiredRepo } from "../model/repo.ts";
import { secretVariables } from "../model/secret-variables.ts";
import { LIST_KEYS } from "../plan/keys.ts";
import type { DeviceIntent, OspfInterface } from "../schema/device.ts";
import { type LinkEnd, linkEndsOf } from "./links.ts";
import { parseChangePath, type Segment, schemaPathOf } from "./path.ts";
import { SecretNamer, type SecretVariable, UNNAMED_SECRET } from "./secrets.ts";
import { DEVICE_SCHEMA_HEADER, STRINGIFY } from "./yaml-text.ts";

export const LINKS_FILE = "desired/links.yaml";

export interface NotAdopted {
  /** The change path (or a file path, for a difference only in a file's form). */
  path: string;
  why: string;
}

export interface AdoptResult {
  /** The files adoption changed, with their new text (files it did not change are not listed). */
  files: Map<string, string>;
  notAdopted: NotAdopted[];
  /** Secrets the adopted values name (the device showed only that one is set): set them before applying. */
  variables: SecretVariable[];
  /** The change paths adopted. */
  adopted: string[];
}

/** Lists that may be left out when empty. */
const OPTIONAL_LISTS = new Set([
  "addresses",
  "stub_networks",
  "static_routes",
  "announce",
  "redistribute",
  "interfaces",
  "wireguard",
  "address_families",
]);

/** Per-end OSPF fields of a link; the others must agree on both ends (load/checks/links.ts). */
const PER_END_OSPF = new Set<keyof OspfInterface>(["cost", "retransmit", "wait"]);

const scalarText = (node: unknown): string | undefined =>
  isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")
    ? String(node.value)
    : undefined;

/** A value of the file and a key of the change path (canonical, from the normalized states) match. */
function sameKey(written: string | undefined, key: string): boolean {
  if (written === undefined) return false;
  if (written === key) return true;
  const forms = [canonAddress(written), canonInterfaceAddress(written), canonNetwork(written)];
  return forms.includes(key);
}

class Edit {
  constructor(
    readonly doc: Document,
    readonly daemon: DeviceIntent["routing_daemon"],
  ) {}

  node(value: unknown) {
    const node = this.doc.createNode(value);
    if (isSeq(node) && node.items.length > 0 && node.items.every((i) => isScalar(i))) node.flow = true;
    return node;
  }

  private findItem(seq: YAMLSeq, schemaPath: string, keyField: string, key: string): number {
    // FRR runs one unnamed OSPF instance per version; the plan names them ospf and ospf6.
    if (schemaPath === "ospf.instances" && this.daemon === "frr" && (key === "ospf" || key === "ospf6")) {
      const version = key === "ospf" ? "2" : "3";
      return seq.items.findIndex((i) => isMap(i) && scalarText(i.get("version", true)) === version);
    }
    return seq.items.findIndex((i) => isMap(i) && sameKey(scalarText(i.get(keyField, true)), key));
  }

  private dropIfEmpty(parent: YAMLMap, name: string): void {
    const seq = parent.get(name, true);
    if (isSeq(seq) && seq.items.length === 0 && OPTIONAL_LISTS.has(name)) parent.delete(name);
  }

  /**
   * Makes the file say `value` at the path: for "update" and "delete" (live has it), writes it; for
   * "create" (only git has it), removes it. Returns why not, or undefined when done.
   */
  apply(segments: Segment[], action: Change["action"], value: unknown): string | undefined {
    if (!isMap(this.doc.contents)) {
      if (this.doc.contents !== null && this.doc.contents !== undefined) return "the file is not a mapping";
      this.doc.contents = this.doc.createNode({}) as unknown as typeof this.doc.contents;
    }
    let node: unknown = this.doc.contents;
    const removing = action === "create";
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as Segment;
      const last = i === segments.length - 1;
      const schemaPath = schemaPathOf(segments.slice(0, i + 1));
      if (!isMap(node)) return `${schemaPath} is not a mapping in the file`;
      const map = node as YAMLMap;
      if (seg.key === undefined) {
        if (last) {
          if (!removing) {
            map.set(seg.name, this.node(value));
            return undefined;
          }
          if (!map.has(seg.name))
            return "the desired value is the platform's default, not written in the file: the device runs without it";
          map.delete(seg.name);
          return undefined;
        }
        let child: unknown = map.get(seg.name, true);
        if (child === undefined || child === null) {
          if (removing) return `${schemaPath} is not in the file`;
          child = this.node({});
          map.set(seg.name, child);
        }
        node = child;
        continue;
      }
      let seq: unknown = map.get(seg.name, true);
      if (!isSeq(seq)) {
        if (removing) return `${schemaPath} is not in the file`;
        seq = this.node([]);
        // A set of scalars reads best in flow style ([a, b]), a list of items in block style.
        (seq as YAMLSeq).flow = LIST_KEYS[schemaPath] === undefined;
        map.set(seg.name, seq);
      }
      const list = seq as YAMLSeq;
      const keyField = LIST_KEYS[schemaPath];
      if (keyField === undefined) {
        // A member of a set of scalars: always the last segment.
        const at = list.items.findIndex((x) => sameKey(scalarText(x), seg.key as string));
        if (removing) {
          if (at < 0) return `${seg.key} is not in ${schemaPath} in the file`;
          list.items.splice(at, 1);
          this.dropIfEmpty(map, seg.name);
        } else if (at < 0) list.items.push(this.doc.createNode(value));
        return undefined;
      }
      let at = this.findItem(list, schemaPath, keyField, seg.key);
      if (last) {
        if (removing) {
          if (at < 0) return `${seg.name}[${seg.key}] is not in the file`;
          list.items.splice(at, 1);
          this.dropIfEmpty(map, seg.name);
        } else if (at < 0) list.items.push(this.node(value));
        else list.items[at] = this.node(value);
        return undefined;
      }
      if (at < 0) {
        if (removing) return `${seg.name}[${seg.key}] is not in the file`;
        if (schemaPath === "ospf.instances") return `the OSPF instance ${seg.key} is not in the file`;
        list.items.push(this.node({ [keyField]: seg.key }));
        at = list.items.length - 1;
      }
      node = list.items[at];
    }
    return undefined;
  }
}

/** A device file that does not exist yet: the schema header and an empty block mapping. */
function newDeviceDocument(): Document {
  const doc = new YAMLDocument({});
  doc.commentBefore = ` ${DEVICE_SCHEMA_HEADER}`;
  return doc;
}

/** A line without the spaces just inside flow brackets: `[ a ]` and `[a]` are the same line. */
const unpadded = (line: string) => line.replace(/([[{]) +/g, "$1").replace(/ +([\]}])/g, "$1");

/**
 * The yaml text of an edited document, as close to the original as the library allows: yaml
 * prints every flow collection with the same padding, so a line that differs from one of the
 * original only in that padding is taken from the original; of the two paddings, the one that
 * changes fewer lines is used for the lines that did change.
 */
function textOf(doc: Document, original: string): string {
  const originalLines = original.split("\n");
  const kept = new Set(originalLines);
  const byUnpadded = new Map(originalLines.map((l) => [unpadded(l), l] as const));
  const candidates = [false, true].map((pad) =>
    doc
      .toString({ ...STRINGIFY, flowCollectionPadding: pad })
      .split("\n")
      .map((l) => (kept.has(l) ? l : (byUnpadded.get(unpadded(l)) ?? l)))
      .join("\n"),
  );
  const changed = (t: string) => t.split("\n").filter((l) => !kept.has(l)).length;
  // A tie: the padding most flow collections of the original have.
  const padded = (original.match(/[[{] /g) ?? []).length;
  const tight = (original.match(/[[{][^\s\]}]/g) ?? []).length;
  const [unpaddedText, paddedText] = candidates as [string, string];
  const diff = changed(unpaddedText) - changed(paddedText);
  return diff > 0 || (diff === 0 && padded > tight) ? paddedText : unpaddedText;
}

const isLinkPath = (segments: Segment[], ends: Map<string, LinkEnd>): string | undefined => {
  const [first, , , third] = segments;
  if (first?.name === "wireguard" && first.key !== undefined && ends.has(first.key)) return first.key;
  const names = schemaPathOf(segments.slice(0, 4));
  if (names === "ospf.instances.areas.interfaces" && third?.key !== undefined && ends.has(third.key))
    return third.key;
  return undefined;
};

/** The value every OSPF instance of the live state runs for a field of an interface, if they agree. */
function liveOspfField(live: LiveState, iface: string, field: keyof OspfInterface): unknown[] {
  const values: unknown[] = [];
  for (const inst of live.state.ospf?.instances ?? [])
    for (const area of inst.areas)
      for (const i of area.interfaces ?? []) if (i.name === iface) values.push(i[field]);
  return values;
}

interface LinkEditState {
  doc?: Document;
  /** Per-end field already set in this adoption: "linkIndex/end/field" -> value. */
  done: Map<string, unknown>;
}

function adoptLinkChange(
  change: Change,
  segments: Segment[],
  iface: string,
  end: LinkEnd,
  live: LiveState,
  links: LinkEditState,
  linksText: string | undefined,
): string | undefined {
  const name = end.link.name;
  const other = end.link.ends[end.end === 0 ? 1 : 0]?.device ?? "the other end";
  const both = `link ${name} defines it for both ends (${live.device} and ${other})`;
  const head = segments[0]?.name;
  if (head === "wireguard") {
    const field = segments[1]?.name;
    if (segments.length === 1)
      return `the tunnel ${iface} of ${both}: remove or restore the link in ${LINKS_FILE} by hand`;
    if (field === "mtu")
      return `both ends of link ${name} must agree on the MTU (OSPF stalls in ExStart otherwise): ${live.device} runs ${String(change.before)}; change the link's mtu in ${LINKS_FILE} for both ends, or restore it`;
    return `${field ?? "this"} of ${iface}: ${both}, and a change on one end changes the other's peer: edit ${LINKS_FILE} by hand, or restore it`;
  }
  // ospf.instances[I].areas[A].interfaces[X](.field)
  const field = segments[4]?.name as keyof OspfInterface | undefined;
  if (field === undefined || segments.length !== 5)
    return `the OSPF interface ${iface} comes from link ${name}: remove or restore the link's OSPF in ${LINKS_FILE} by hand`;
  if (!PER_END_OSPF.has(field))
    return `both ends of link ${name} must agree on OSPF ${field} (the adjacency would never form): change it in ${LINKS_FILE} for both ends, or restore it`;
  if (change.action === "create")
    return `OSPF ${field} of ${iface} comes from link ${name} and the device runs none: restore it`;
  const values = liveOspfField(live, iface, field);
  if (new Set(values.map((v) => JSON.stringify(v))).size > 1) {
    return `link ${name} gives ${iface} one OSPF ${field} in every instance, and ${live.device} runs ${values.map(String).join(" and ")} in its instances`;
  }
  const value = change.before;
  const key = `${end.linkIndex}/${end.end}/${field}`;
  if (links.done.has(key))
    return links.done.get(key) === value ? undefined : `conflicting values for ${field}`;
  if (linksText === undefined) return `${LINKS_FILE} is not among the files`;
  links.doc ??= parseDocument(linksText, { merge: true, keepSourceTokens: false });
  const endNode = links.doc.getIn(["links", end.linkIndex, "ends", end.end], true);
  if (!isMap(endNode)) return `link ${name} has no end ${end.end} in ${LINKS_FILE}`;
  const linkValue = end.link.ospf?.[field as "cost" | "retransmit" | "wait"];
  let ospf: unknown = endNode.get("ospf", true);
  if (value === linkValue) {
    // Back to the link's own value: the override goes.
    if (isMap(ospf)) {
      ospf.delete(field);
      if (ospf.items.length === 0) endNode.delete("ospf");
    }
  } else {
    if (!isMap(ospf)) {
      ospf = links.doc.createNode({});
      endNode.set("ospf", ospf);
    }
    (ospf as YAMLMap).set(field, value);
  }
  // The end now runs what the device runs: effectiveOspf reads the edited link the same way.
  links.done.set(key, value);
  return undefined;
}

/** The words of a derived variable name for a secret at a change path, as import names them. */
function secretWords(path: string, field: string): string[] {
  const key = (name: string) => new RegExp(`${name}\\[([^\\]]+)\\]`).exec(path)?.[1];
  const ospf = path.startsWith("ospf.") ? key("interfaces") : undefined;
  if (ospf) return ["OSPF", ospf, "PASSWORD"];
  const neighbor = key("neighbors");
  if (neighbor) return ["BGP", neighbor, "PASSWORD"];
  const wg = path.startsWith("wireguard") ? key("wireguard") : undefined;
  if (wg && key("peers")) return [wg, "PSK"];
  const last = [...path.matchAll(/\[([^\]]+)\]/g)].pop()?.[1];
  return [...(last ? [last] : []), field.replace(/_env$/, "")];
}

/** Replaces unnamed secrets (SECRET_SET) in a value about to be written by variable names. */
function nameSecrets(value: unknown, at: string, device: string, namer: SecretNamer): unknown {
  if (Array.isArray(value)) return value.map((v) => nameSecrets(v, at, device, namer));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k.endsWith("_env") && typeof v === "string"
          ? namer.name(v, `${at}.${k}`, device, ...secretWords(at, k))
          : nameSecrets(v, at, device, namer);
    }
    return out;
  }
  return value;
}

/**
 * Edits desired/ so that it describes the observed live values of the changes of one device's
 * plan. `files` holds the repository's desired/ files (path -> text); the result holds the ones
 * changed. The result loads without diagnostics and plans no changes for the adopted paths.
 */
export function adoptDrift(
  files: ReadonlyMap<string, string>,
  plan: DevicePlan,
  live: LiveState,
  repo: DesiredRepo,
): AdoptResult {
  const device = plan.device;
  const devicePath = `desired/${device}.yaml`;
  const notAdopted: NotAdopted[] = [];
  const adopted: string[] = [];
  const ends = linkEndsOf(device, repo);
  const namer = new SecretNamer(secretVariables(repo.expanded));
  const daemon = repo.expanded[device]?.routing_daemon ?? live.state.routing_daemon;
  const deviceText = files.get(devicePath);
  let deviceDoc: Document | undefined;
  const links: LinkEditState = { done: new Map() };

  for (const change of plan.changes) {
    const path = change.path;
    if (path.startsWith("runtime.")) {
      notAdopted.push({
        path,
        why: `running state, not configuration (${String(change.before)} where the configuration asks for ${String(change.after)}): nothing in desired/ describes it, and the next apply restores it`,
      });
      continue;
    }
    const segments = parseChangePath(path);
    if (!segments) {
      notAdopted.push({ path, why: "a change path this version cannot read" });
      continue;
    }
    if (segments.length === 2 && segments[0]?.name === "wireguard" && segments[1]?.name === "public_key") {
      notAdopted.push({
        path,
        why: "the device runs a WireGuard key git does not record: `reconciler keys` records it in inventory/wireguard-keys.yaml for review",
      });
      continue;
    }
    const linkIface = isLinkPath(segments, ends);
    if (linkIface !== undefined) {
      const end = ends.get(linkIface) as LinkEnd;
      const why = adoptLinkChange(change, segments, linkIface, end, live, links, files.get(LINKS_FILE));
      if (why) notAdopted.push({ path, why });
      else adopted.push(path);
      continue;
    }
    if (!deviceDoc) {
      deviceDoc = deviceText !== undefined ? parseDocument(deviceText, { merge: true }) : newDeviceDocument();
    }
    const leaf = segments[segments.length - 1]?.name ?? "";
    const value =
      leaf.endsWith("_env") && typeof change.before === "string"
        ? namer.name(change.before, path, device, ...secretWords(path, leaf))
        : nameSecrets(change.before, path, device, namer);
    const why = new Edit(deviceDoc, daemon).apply(segments, change.action, value);
    if (why) notAdopted.push({ path, why });
    else adopted.push(path);
  }

  for (const u of plan.unmanaged) {
    notAdopted.push({
      path: u.path,
      why: "not managed: git does not describe it and the reconciler did not create it; `reconciler import` or an edit by hand brings it under management",
    });
  }
  if (plan.changes.length === 0) {
    for (const f of plan.files) {
      notAdopted.push({
        path: f.path,
        why: "the file differs only in form (comments, layout, what the model does not describe): the next apply rewrites it",
      });
    }
  }

  const out = new Map<string, string>();
  if (deviceDoc) {
    const text = textOf(deviceDoc, deviceText ?? "");
    if (text !== deviceText) out.set(devicePath, text);
  }
  if (links.doc) {
    const original = files.get(LINKS_FILE) ?? "";
    const text = textOf(links.doc, original);
    if (text !== original) out.set(LINKS_FILE, text);
  }
  return { files: out, notAdopted, variables: namer.variables, adopted };
}

export { UNNAMED_SECRET };
