// Loads inventory/ and desired/ through a RepoReader, checks them against the schemas and the
// semantic rules, and returns either the whole desired network or every problem found, at once.
import { expandLinks } from "../intent/links.ts";
import { type Diagnostic, hasErrors, sortDiagnostics } from "../model/diagnostic.ts";
import type { PlatformRuleSet } from "../model/platform.ts";
import type { DesiredRepo, ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { InventoryFile, WireguardKeysFile } from "../schema/inventory.ts";
import type { LinksFile } from "../schema/links.ts";
import { checkDevice } from "./checks/device.ts";
import { addressDecls, interfaceDecls, type RepoSources, report } from "./checks/facts.ts";
import { checkAddresses, checkInterfaces, checkRouterIds } from "./checks/fleet.ts";
import { resolveInventory } from "./checks/inventory.ts";
import { checkKnownHosts } from "./checks/known-hosts.ts";
import { checkLinkOwned } from "./checks/link-owned.ts";
import { checkLinks } from "./checks/links.ts";
import { checkRollout } from "./checks/rollout.ts";
import { scanForPrivateKeys } from "./checks/secrets.ts";
import { memoized, type RepoReader } from "./reader.ts";
import { guarded } from "./refusals.ts";
import { checkSchema } from "./schema-check.ts";
import { parseYamlSource, type SourceFile } from "./source.ts";
import type { SchemaName } from "./validators/validators.ts";

export const PATHS = {
  inventory: "inventory/inventory.yaml",
  publicKeys: "inventory/wireguard-keys.yaml",
  knownHosts: "inventory/known_hosts",
  links: "desired/links.yaml",
  desiredDir: "desired",
  inventoryDir: "inventory",
} as const;

/** File names in desired/ that are shared intent, not a device. */
const SHARED_FILES = new Set(["links"]);

export interface LoadOptions {
  /** Each platform's rules: its driver's descriptor (drivers/descriptors.ts), passed in by the caller. */
  descriptors: PlatformRuleSet;
}

export interface LoadResult {
  repo?: DesiredRepo;
  diagnostics: Diagnostic[];
}

interface Parsed<T> {
  source: SourceFile;
  data?: T;
}

async function loadFile<T>(
  reader: RepoReader,
  path: string,
  schema: SchemaName,
  out: Diagnostic[],
): Promise<Parsed<T> | undefined> {
  const text = await reader.read(path);
  if (text === undefined) return undefined;
  const { source, diagnostics } = parseYamlSource(path, text);
  out.push(...diagnostics);
  if (source.data === undefined) return { source };
  // An empty file is an empty map: a device with nothing managed yet.
  if (source.data === null) source.data = {};
  // The schema is checked even when the text has problems (a control character, a placeholder),
  // so that one run reports everything wrong with the file.
  const schemaProblems = checkSchema(source, schema);
  out.push(...schemaProblems);
  return diagnostics.length + schemaProblems.length > 0 ? { source } : { source, data: source.data as T };
}

export async function loadRepo(source: RepoReader, { descriptors }: LoadOptions): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [];
  // Memoized under the guard, so a refused file is reported once however often it is read.
  const reader = guarded(memoized(source), diagnostics);
  const fileProblem = (file: string, message: string, expected: string): Diagnostic => ({
    severity: "error",
    file,
    line: 0,
    column: 0,
    path: "",
    message,
    expected,
  });

  // Secrets first: every file, whatever its name or format.
  const allFiles = [...(await reader.list(PATHS.inventoryDir)), ...(await reader.list(PATHS.desiredDir))];
  for (const file of allFiles) {
    const text = await reader.read(file);
    if (text !== undefined) diagnostics.push(...scanForPrivateKeys(file, text));
  }

  const inventory = await loadFile<InventoryFile>(reader, PATHS.inventory, "inventory", diagnostics);
  if (!inventory && !reader.refused.has(PATHS.inventory))
    diagnostics.push(
      fileProblem(
        PATHS.inventory,
        "the inventory file is missing",
        "inventory/inventory.yaml listing the devices",
      ),
    );
  const keys = await loadFile<WireguardKeysFile>(reader, PATHS.publicKeys, "wireguardKeys", diagnostics);

  const deviceFiles: string[] = [];
  for (const file of await reader.list(PATHS.desiredDir)) {
    const rest = file.slice(PATHS.desiredDir.length + 1);
    if (rest.includes("/")) continue; // subfolders are the operator's (docs, drafts)
    if (rest.endsWith(".yml")) {
      diagnostics.push(fileProblem(file, "file ends in .yml and is not read", `${file.slice(0, -4)}.yaml`));
      continue;
    }
    if (!rest.endsWith(".yaml")) continue;
    if (SHARED_FILES.has(rest.slice(0, -5))) continue;
    deviceFiles.push(file);
  }

  const devicesSrc: Record<string, SourceFile> = {};
  const intents: Record<string, DeviceIntent> = {};
  let allValid = inventory?.data !== undefined && (!keys || keys.data !== undefined);
  for (const file of deviceFiles) {
    const name = file.slice(PATHS.desiredDir.length + 1, -".yaml".length);
    const parsed = await loadFile<DeviceIntent>(reader, file, "device", diagnostics);
    if (!parsed) continue;
    devicesSrc[name] = parsed.source;
    if (parsed.data) intents[name] = parsed.data;
    else allValid = false;
    if (inventory?.data && !inventory.data.devices[name]) {
      diagnostics.push({
        ...fileProblem(
          file,
          `no device named ${JSON.stringify(name)} in the inventory`,
          `a device ${name} in ${PATHS.inventory}, or no ${file}`,
        ),
        line: 1,
        column: 1,
      });
    }
  }
  const links = await loadFile<LinksFile>(reader, PATHS.links, "links", diagnostics);
  if (links && !links.data) allValid = false;
  // A refused file is absent, not empty: checks across files would report what it may define.
  if (reader.refused.size > 0) allValid = false;

  let devices: Record<string, ResolvedDevice> = {};
  if (inventory?.data) {
    const resolved = resolveInventory(inventory.data, inventory.source);
    devices = resolved.devices;
    diagnostics.push(...resolved.diagnostics);
    diagnostics.push(...checkRollout(inventory.data.rollout, devices, inventory.source));
    for (const name of Object.keys(inventory.data.devices)) {
      if (!devicesSrc[name]) {
        diagnostics.push(
          report(
            { source: inventory.source, path: ["devices", name] },
            {
              severity: "warning",
              message: `device ${name} has no desired state file, so nothing on it is managed`,
              expected: `desired/${name}.yaml`,
            },
            "key",
          ),
        );
      }
    }
  }

  // Cross-file checks need every file valid: on top of a schema error they would only echo it.
  if (!allValid || !inventory?.data) return { diagnostics: sortDiagnostics(diagnostics) };

  const linkList = links?.data?.links ?? [];
  const publicKeys = keys?.data?.keys ?? {};
  const sources: RepoSources = { devices: devicesSrc, ...(links ? { links: links.source } : {}) };
  const ifaceDecls = interfaceDecls(intents, linkList, sources);

  const declsByDevice = new Map<string, typeof ifaceDecls>();
  for (const d of ifaceDecls) declsByDevice.set(d.device, [...(declsByDevice.get(d.device) ?? []), d]);
  for (const [name, intent] of Object.entries(intents)) {
    const device = devices[name];
    const source = devicesSrc[name];
    if (!device || !source) continue;
    const mine = declsByDevice.get(name) ?? [];
    diagnostics.push(
      ...checkDevice({
        name,
        device,
        intent,
        source,
        interfaceNames: new Set(mine.map((d) => d.name)),
        wireguardNames: new Set(mine.filter((d) => d.wireguard).map((d) => d.name)),
        inventory: devices,
        rules: descriptors[device.platform],
      }),
    );
  }
  if (links?.data) diagnostics.push(...checkLinks(linkList, links.source, devices, intents));
  diagnostics.push(...checkLinkOwned(intents, linkList, sources));
  diagnostics.push(...checkInterfaces(ifaceDecls, devices, descriptors));
  diagnostics.push(
    ...checkAddresses(addressDecls(intents, linkList, sources), linkList, (li, ni) => ({
      source: links?.source as SourceFile,
      path: ["links", li, "transfer_nets", ni],
    })),
  );
  diagnostics.push(
    ...checkRouterIds(intents, (device, path) => {
      const source = devicesSrc[device];
      return source ? { source, path } : undefined;
    }),
  );
  if (keys?.data) diagnostics.push(...checkPublicKeys(keys.data, keys.source, devices, ifaceDecls));
  const knownHosts = await reader.read(PATHS.knownHosts);
  if (knownHosts !== undefined) diagnostics.push(...checkKnownHosts(PATHS.knownHosts, knownHosts, devices));

  const { devices: expanded, notes } = expandLinks(intents, linkList, publicKeys);
  if (links) {
    for (const note of notes) {
      diagnostics.push(
        report(
          { source: links.source, path: ["links", note.link, "ends", note.end] },
          { severity: "warning", message: note.message },
        ),
      );
    }
  }
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) return { diagnostics: sorted };
  return {
    repo: {
      origin: reader.origin,
      devices,
      links: linkList,
      publicKeys,
      expanded,
      ...(inventory.data.rollout ? { rollout: inventory.data.rollout } : {}),
      ...(inventory.data.state ? { state: inventory.data.state } : {}),
      ...(inventory.data.reconciler?.sources ? { sources: inventory.data.reconciler.sources } : {}),
      routedTunnels: routedTunnels(devices, expanded, descriptors),
    },
    diagnostics: sorted,
  };
}

function routedTunnels(
  devices: Readonly<Record<string, ResolvedDevice>>,
  expanded: Readonly<Record<string, DeviceIntent>>,
  descriptors: PlatformRuleSet,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, device] of Object.entries(devices)) {
    const routes = descriptors[device.platform]?.allowedIpsAreRoutes;
    const names = routes ? (expanded[name]?.wireguard ?? []).filter((w) => routes(w)).map((w) => w.name) : [];
    if (names.length > 0) out[name] = names;
  }
  return out;
}

function checkPublicKeys(
  file: WireguardKeysFile,
  source: SourceFile,
  devices: Readonly<Record<string, ResolvedDevice>>,
  decls: ReturnType<typeof interfaceDecls>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const owners = new Map<string, string>();
  const tunnels = new Set(decls.filter((d) => d.wireguard).map((d) => `${d.device}\0${d.name}`));
  for (const [device, ifaces] of Object.entries(file.keys)) {
    if (!devices[device]) {
      out.push(
        report(
          { source, path: ["keys", device] },
          {
            message: `unknown device ${JSON.stringify(device)}`,
            value: device,
            expected: "a device of the inventory",
          },
          "key",
        ),
      );
      continue;
    }
    for (const [iface, key] of Object.entries(ifaces)) {
      if (!tunnels.has(`${device}\0${iface}`)) {
        out.push(
          report(
            { source, path: ["keys", device, iface] },
            {
              severity: "warning",
              message: `${device} has no WireGuard interface ${iface} in the desired state`,
              expected: "keys only for WireGuard interfaces that exist",
            },
            "key",
          ),
        );
      }
      const owner = owners.get(key);
      if (owner) {
        out.push(
          report(
            { source, path: ["keys", device, iface] },
            {
              message: `the public key of ${device} ${iface} is also that of ${owner}: the two share a private key`,
              value: key,
              expected: "a distinct key per interface",
            },
          ),
        );
      } else owners.set(key, `${device} ${iface}`);
    }
  }
  return out;
}
