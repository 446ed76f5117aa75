// `reconciler keys`: makes sure every WireGuard interface of the selected devices has a private
// key ON the device (generated there, never read back) and records the public keys in
// inventory/wireguard-keys.yaml, for review and commit. Run it before the first apply of a link,
// and after a key rotation; apply refuses a device whose key differs from the one in git.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { ApplyDriver, KeysCapability } from "../drivers/apply-contract.ts";
import { PATHS } from "../load/load.ts";
import { summarizeError } from "../model/errors.ts";
import { mapLimit } from "../model/select.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { writeFileAtomic } from "../state/atomic.ts";
import { newRunId } from "../state/store.ts";
import { EXIT } from "./exit-codes.ts";
import { jsonForTerminal } from "./history.ts";
import { loadSelected } from "./open-repo.ts";
import type { PlanDeps } from "./plan.ts";
import { DEFAULT_CONCURRENCY } from "./read-fleet.ts";
import { stateDir, underRunLock } from "./run-lock.ts";

export interface KeysOptions {
  repo?: string;
  limit?: string;
  /** Print the outcome as JSON (schema/json/keys-output.schema.json) instead of lines. */
  json?: boolean;
}

type KeyChange = "unchanged" | "recorded" | "changed";
type DeviceKeys =
  | { device: string; ok: true; interfaces: { interface: string; publicKey: string; change: KeyChange }[] }
  | { device: string; ok: false; error: string };

const HEADER =
  "# Public keys of each device's WireGuard interfaces, as the devices reported them after\n# generating their private keys (which never leave the device).\n";

export async function keysCommand(
  opts: KeysOptions,
  deps: Pick<PlanDeps, "openTransport"> & {
    applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>>;
    env: Readonly<Record<string, string | undefined>>;
  },
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const { repo, knownHosts } = selected;
  const devices = selected.devices.filter(
    (d) =>
      (repo.expanded[d.name]?.wireguard ?? []).length > 0 && deps.applyDrivers[d.platform]?.capabilities.keys,
  );
  const path = join(resolve(opts.repo ?? process.cwd()), PATHS.publicKeys);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    text = `${HEADER}keys: {}\n`;
  }
  const doc = parseDocument(text);
  let failed = 0;
  let changed = 0;
  // Devices are asked in parallel (bounded); their answers are reported in inventory order.
  const runId = newRunId();
  // Generating keys changes devices: one such run at a time, as for apply.
  const answers = await underRunLock(stateDir(opts.repo), { runId, command: "keys" }, process.stderr, () =>
    askDevices(),
  );
  async function askDevices(): Promise<({ keys: Record<string, string> } | { error: string })[]> {
    const transport = deps.openTransport(repo, knownHosts);
    try {
      return await mapLimit(devices, DEFAULT_CONCURRENCY, async (device) => {
        const keys = deps.applyDrivers[device.platform]?.capabilities.keys as KeysCapability;
        const intent = repo.expanded[device.name] ?? {};
        try {
          const session = await transport.session(device.name);
          const ctx = { runId, device, intent, env: deps.env };
          return {
            keys: await keys.ensureKeys(
              session,
              ctx,
              (intent.wireguard ?? []).map((w) => w.name),
            ),
          };
        } catch (err) {
          return { error: summarizeError(err).message };
        }
      });
    } finally {
      await transport.closeAll();
    }
  }
  const results: DeviceKeys[] = devices.map((device, i) => {
    const answer = answers[i];
    if (!answer || "error" in answer) {
      failed++;
      return { device: device.name, ok: false, error: answer?.error ?? "no answer" };
    }
    const interfaces: { interface: string; publicKey: string; change: KeyChange }[] = [];
    for (const iface of (repo.expanded[device.name]?.wireguard ?? []).map((w) => w.name)) {
      const key = answer.keys[iface];
      if (!key) continue;
      const before = repo.publicKeys[device.name]?.[iface];
      const change: KeyChange = before === key ? "unchanged" : before ? "changed" : "recorded";
      if (change !== "unchanged") {
        doc.setIn(["keys", device.name, iface], key);
        changed++;
      }
      interfaces.push({ interface: iface, publicKey: key, change });
    }
    return { device: device.name, ok: true, interfaces };
  });
  if (changed > 0) {
    // Atomic: a crash or a full disk leaves the old file, never a torn one the loader refuses.
    await writeFileAtomic(path, String(doc), 0o644);
  }
  if (opts.json) {
    out.write(
      jsonForTerminal({
        schema_version: OUTPUT_SCHEMA_VERSION,
        devices: results,
        changed,
        file: PATHS.publicKeys,
      }),
    );
    return failed > 0 ? EXIT.error : EXIT.ok;
  }
  for (const r of results) {
    if (!r.ok) {
      // The error may end in the device's output: escaped, its further lines prefixed.
      out.write(`${safeLine(r.device)}: ${safeMessage(r.error, "    | ")}\n`);
      continue;
    }
    for (const k of r.interfaces)
      out.write(
        k.change === "unchanged"
          ? `${safeLine(r.device)} ${safeLine(k.interface)}: unchanged\n`
          : `${safeLine(r.device)} ${safeLine(k.interface)}: ${k.change === "changed" ? "CHANGED" : "recorded"} ${safeLine(k.publicKey)}\n`,
      );
  }
  if (changed > 0) out.write(`${changed} key(s) written to ${PATHS.publicKeys}: review and commit them.\n`);
  return failed > 0 ? EXIT.error : EXIT.ok;
}
