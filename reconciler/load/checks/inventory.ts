// Resolves every device's connection facts (defaults < groups in order < device) and checks the
// inventory's cross references: groups, the `via` chain, credentials and the login user.
import type { Diagnostic } from "../../model/diagnostic.ts";
import type { ResolvedDevice } from "../../model/repo.ts";
import type { CredentialsSpec, InventoryFile } from "../../schema/inventory.ts";
import { diagnosticAt, type SourceFile } from "../source.ts";

const DEFAULT_PORT = 22;
const DEFAULT_CONNECT_TIMEOUT_S = 10;

export function resolveInventory(
  inv: InventoryFile,
  source: SourceFile,
): { devices: Record<string, ResolvedDevice>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const devices: Record<string, ResolvedDevice> = {};
  const groups = inv.groups ?? {};
  for (const [name, dev] of Object.entries(inv.devices)) {
    const at = (...rest: (string | number)[]) => ["devices", name, ...rest];
    const layers = [inv.defaults ?? {}];
    (dev.groups ?? []).forEach((g, i) => {
      const group = groups[g];
      if (group) layers.push(group);
      else
        diagnostics.push(
          diagnosticAt(source, at("groups", i), {
            message: `unknown group ${JSON.stringify(g)}`,
            value: g,
            expected: `one of the groups defined under groups: ${Object.keys(groups).join(", ") || "(none)"}`,
          }),
        );
    });
    layers.push(dev);
    const pick = <K extends "port" | "user" | "credentials" | "privilege" | "connect_timeout_s">(k: K) =>
      layers.reduce<(typeof layers)[number][K] | undefined>((acc, l) => l[k] ?? acc, undefined);

    const user = pick("user");
    if (!user) {
      diagnostics.push(
        diagnosticAt(source, at(), {
          message: `no login user for device ${name}`,
          expected: "user set on the device, one of its groups, or defaults",
        }),
      );
    }
    const creds: CredentialsSpec = pick("credentials") ?? { agent: true };
    const ways = [
      creds.agent === true,
      creds.key_file_env !== undefined,
      creds.password_env !== undefined,
    ].filter(Boolean);
    if (ways.length !== 1) {
      diagnostics.push(
        diagnosticAt(source, dev.credentials ? at("credentials") : at(), {
          message: `credentials of ${name} name ${ways.length} ways to authenticate`,
          expected: "exactly one of agent: true, key_file_env or password_env",
        }),
      );
    }
    const labels: Record<string, string> = {};
    const vars: Record<string, string | number | boolean> = {};
    for (const l of [...(dev.groups ?? []).map((g) => groups[g] ?? {}), dev]) {
      Object.assign(labels, l.labels ?? {});
      Object.assign(vars, l.vars ?? {});
    }
    const resolved: ResolvedDevice = {
      name,
      platform: dev.platform,
      host: dev.host,
      port: pick("port") ?? DEFAULT_PORT,
      user: user ?? "",
      credentials: {
        agent: creds.agent === true,
        ...(creds.key_file_env ? { keyFileEnv: creds.key_file_env } : {}),
        ...(creds.password_env ? { passwordEnv: creds.password_env } : {}),
      },
      sudo: pick("privilege")?.sudo === true,
      connectTimeoutS: pick("connect_timeout_s") ?? DEFAULT_CONNECT_TIMEOUT_S,
      groups: [...(dev.groups ?? [])],
      labels,
      vars,
    };
    if (dev.via) resolved.via = dev.via;
    devices[name] = resolved;
  }
  diagnostics.push(...checkVia(inv, source));
  diagnostics.push(...checkSameAddress(devices, source));
  return { devices, diagnostics };
}

/** `via` names the device management traffic passes through: it must exist and never loop. */
function checkVia(inv: InventoryFile, source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, dev] of Object.entries(inv.devices)) {
    if (!dev.via) continue;
    if (!inv.devices[dev.via]) {
      out.push(
        diagnosticAt(source, ["devices", name, "via"], {
          message: `unknown device ${JSON.stringify(dev.via)}`,
          value: dev.via,
          expected: "the name of a device in the inventory",
        }),
      );
      continue;
    }
    const seen = new Set([name]);
    let cur: string | undefined = dev.via;
    while (cur) {
      if (seen.has(cur)) {
        out.push(
          diagnosticAt(source, ["devices", name, "via"], {
            message: `the via chain of ${name} loops back to ${cur}`,
            expected: "a chain of via devices that ends at a device reached directly",
          }),
        );
        break;
      }
      seen.add(cur);
      cur = inv.devices[cur]?.via;
    }
  }
  return out;
}

function checkSameAddress(devices: Record<string, ResolvedDevice>, source: SourceFile): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byEndpoint = new Map<string, string>();
  for (const d of Object.values(devices)) {
    const key = `${d.host.toLowerCase()}:${d.port}`;
    const first = byEndpoint.get(key);
    if (first) {
      out.push(
        diagnosticAt(source, ["devices", d.name, "host"], {
          message: `${d.name} and ${first} have the same management address ${d.host} port ${d.port}`,
          value: d.host,
          expected: "a distinct management address or port per device",
        }),
      );
    } else byEndpoint.set(key, d.name);
  }
  return out;
}
