// `reconciler import`: the desired/<device>.yaml a device's live state becomes (brownfield
// onboarding). Only the sections its platform manages; values the platform fills in by itself
// left out; what desired/links.yaml defines for the device (a link's tunnel and its OSPF
// interface) left out, so that nothing is defined twice; secrets named by environment variables,
// never written. Importing and then planning the same device shows no changes. Pure.
import { DESCRIPTORS } from "../drivers/descriptors.ts";
import { DRIVERS } from "../drivers/index.ts";
import { effectiveOspf } from "../intent/links.ts";
import type { LiveState } from "../model/live.ts";
import type { DesiredRepo } from "../model/repo.ts";
import type { DeviceIntent, OspfArea } from "../schema/device.ts";
import { linkEndsOf } from "./links.ts";
import { SecretNamer, type SecretVariable, UNNAMED_SECRET } from "./secrets.ts";
import { DEVICE_SCHEMA_HEADER, yamlText } from "./yaml-text.ts";

export interface ImportResult {
  /** desired/<device>.yaml */
  path: string;
  text: string;
  /** The desired state the text holds. */
  intent: DeviceIntent;
  /** The environment variables the operator must set before the next apply (secrets). */
  variables: SecretVariable[];
  /** What the operator should know: link interfaces left to links.yaml, redacted raw text, ... */
  notes: string[];
}

/** The order of the sections in the file, as the example files have them. */
const ORDER: (keyof DeviceIntent)[] = [
  "description",
  "routing_daemon",
  "forwarding",
  "interfaces",
  "wireguard",
  "static_routes",
  "ospf",
  "bgp",
  "firewall",
  "serial_ports",
  "cellular_failover",
  "snmp",
  "users",
  "management_vpn",
  "raw",
];

/** Removes what links.yaml defines for the device: its link tunnels and their OSPF interfaces. */
function withoutLinks(state: DeviceIntent, device: string, repo: DesiredRepo | undefined): DeviceIntent {
  const ends = linkEndsOf(device, repo);
  if (ends.size === 0) return state;
  const out = structuredClone(state);
  if (out.wireguard) out.wireguard = out.wireguard.filter((w) => !ends.has(w.name));
  // An area a link adds its interface to is created by the expansion when the file has none.
  const linkAreas = new Set<string>();
  for (const e of ends.values()) {
    const area = effectiveOspf(e.link, e.end)?.area;
    if (area) linkAreas.add(area);
  }
  const empty = (a: OspfArea) => !a.stub && !a.interfaces?.length && !a.stub_networks?.length;
  for (const inst of out.ospf?.instances ?? []) {
    for (const area of inst.areas) {
      if (area.interfaces) area.interfaces = area.interfaces.filter((i) => !ends.has(i.name));
      if (area.interfaces?.length === 0) delete area.interfaces;
    }
    inst.areas = inst.areas.filter((a) => !(empty(a) && linkAreas.has(a.id)));
  }
  return out;
}

/** Other platforms: unnamed secrets named, nothing else changed (their drivers normalize nothing yet). */
function nameSecrets(value: unknown, namer: SecretNamer, device: string, at: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => nameSecrets(v, namer, device, [...at, String(i + 1)]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k.endsWith("_env") && typeof v === "string"
          ? namer.name(v, `${[...at, k].join(".")}`, device, ...at, k.slice(0, -4))
          : nameSecrets(v, namer, device, [...at, k]);
    }
    return out;
  }
  return value;
}

function ordered(intent: DeviceIntent): DeviceIntent {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) if (intent[k] !== undefined) out[k] = intent[k];
  for (const [k, v] of Object.entries(intent)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as DeviceIntent;
}

/** The desired state of a device from its live state, and the notes that go with it. */
export function importIntent(
  live: LiveState,
  repo: DesiredRepo | undefined,
): Omit<ImportResult, "path" | "text"> & { linkInterfaces: string[] } {
  const descriptor = DESCRIPTORS[live.platform];
  const managed = new Set<string>(descriptor.sections);
  const sections: DeviceIntent = {};
  for (const [k, v] of Object.entries(live.state)) {
    if (managed.has(k) && v !== undefined) (sections as Record<string, unknown>)[k] = v;
  }
  const ends = linkEndsOf(live.device, repo);
  const state = withoutLinks(sections, live.device, repo);
  // Variables the links already name for this device are not handed out again.
  const namer = new SecretNamer();
  // The platform's own reverse of normalize, where it has one (drivers/<platform>/denormalize.ts).
  const denormalize = DRIVERS[live.platform]?.denormalize;
  const intent = denormalize
    ? denormalize(state, { live, namer, device: live.device })
    : (nameSecrets(state, namer, live.device, []) as DeviceIntent);
  const notes: string[] = [];
  const linkInterfaces = [...ends.keys()].sort();
  if (linkInterfaces.length > 0) {
    notes.push(
      `left out, defined by desired/links.yaml: ${linkInterfaces.join(", ")} (their tunnels and OSPF interfaces)`,
    );
  }
  const raw = intent.raw as Record<string, unknown> | undefined;
  for (const [kind, text] of Object.entries(raw ?? {})) {
    if (typeof text !== "string") continue;
    if (text.includes("(hidden)")) {
      notes.push(
        `raw.${kind} holds a secret the device did not show ("(hidden)"): replace that statement before applying, or the device gets "(hidden)" as the secret`,
      );
    }
    const notUnderstood = text.split("\n").filter((l) => l.startsWith("# reconciler: not understood"));
    if (notUnderstood.length > 0) {
      notes.push(
        `raw.${kind} keeps ${notUnderstood.length} statement(s) the reconciler does not model as comments: model them, or they are gone after the next apply`,
      );
    }
  }
  for (const r of live.runtime ?? []) {
    notes.push(
      `${r.path} runs ${r.seen} while the configuration asks for ${r.expected}: the next apply restores it`,
    );
  }
  return { intent: ordered(intent), variables: namer.variables, notes, linkInterfaces };
}

/** desired/<device>.yaml for a device from its live state. */
export function importDevice(live: LiveState, repo: DesiredRepo | undefined): ImportResult {
  const { intent, variables, notes, linkInterfaces } = importIntent(live, repo);
  const header = [
    DEVICE_SCHEMA_HEADER,
    `Imported from the live state of ${live.device} by \`reconciler import\`.`,
  ];
  if (linkInterfaces.length > 0) {
    header.push(
      `The tunnels ${linkInterfaces.join(", ")} and their OSPF interfaces come from desired/links.yaml.`,
    );
  }
  if (variables.length > 0) {
    header.push("Secrets come from environment variables, never from git:");
    for (const v of variables) header.push(`  ${v.name}: ${v.what}`);
  }
  return { path: `desired/${live.device}.yaml`, text: yamlText(intent, header), intent, variables, notes };
}

export { UNNAMED_SECRET };
