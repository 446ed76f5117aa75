// `reconciler trust DEVICE`: records the SSH host key a device presents in inventory/known_hosts,
// so that the key is reviewed in a pull request like any other change. It connects without
// verifying and without authenticating (no credentials are needed or sent), and hangs up right
// after the key exchange, which proves the device holds the key's private half.
import { rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { knownHostPattern, parseKnownHosts } from "../load/checks/known-hosts.ts";
import { PATHS } from "../load/load.ts";
import { WorkingTreeReader } from "../load/reader.ts";
import { hasErrors } from "../model/diagnostic.ts";
import { DeviceError } from "../model/errors.ts";
import { formatDiagnostic } from "../report/diagnostics.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { OUTPUT_SCHEMA_VERSION } from "../schema/output-version.ts";
import { type ScannedKey, where } from "../transport/connect.ts";
import { fingerprintOfBase64, pinnedKeysFor } from "../transport/host-keys.ts";
import { pinHostKey } from "../transport/known-hosts-file.ts";
import { openSshTransport } from "../transport/ssh.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { jsonForTerminal } from "./history.ts";
import { loadFromOptions } from "./open-repo.ts";

export interface TrustOptions {
  repo?: string;
  /** Print what was seen and done as JSON (schema/json/trust-output.schema.json). */
  json?: boolean;
}

export async function trustCommand(
  deviceName: string,
  opts: TrustOptions,
  out: NodeJS.WritableStream,
  color = false,
): Promise<number> {
  const root = resolve(opts.repo ?? process.cwd());
  const result = await loadFromOptions({ repo: root });
  if (!result.repo || hasErrors(result.diagnostics)) {
    for (const d of result.diagnostics) out.write(`${formatDiagnostic(d, color)}\n`);
    return EXIT.error;
  }
  const device = result.repo.devices[deviceName];
  if (!device) throw new CliError(`unknown device: ${safeLine(deviceName)}`, EXIT.usage);

  const text = (await new WorkingTreeReader(root).read(PATHS.knownHosts)) ?? "";
  const pins = pinnedKeysFor(parseKnownHosts(PATHS.knownHosts, text).entries, device.host, device.port);
  let scanned: ScannedKey;
  // Through the transport, so that a device behind a jump host (`via`) is scanned over the
  // jump's pinned connection.
  const transport = openSshTransport(result.repo.devices, text);
  try {
    scanned = await transport.scanHostKey(deviceName, pins);
  } catch (err) {
    // The message may quote what the device sent (its banner, its key type).
    if (err instanceof DeviceError) throw new CliError(safeMessage(err.message, "    | "), EXIT.error);
    throw err;
  } finally {
    await transport.closeAll();
  }
  const pattern = knownHostPattern(device.host, device.port);
  const pinned = pinHostKey(text, pattern, scanned.keyType, scanned.key);
  if (pinned.outcome !== "unchanged") {
    const file = join(root, PATHS.knownHosts);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, pinned.text);
    await rename(tmp, file);
  }
  const replaced =
    pinned.outcome === "replaced"
      ? pinned.previous.map((p) => ({ keyType: p.keyType, fingerprint: fingerprintOfBase64(p.key) }))
      : [];
  if (opts.json) {
    out.write(
      jsonForTerminal({
        schema_version: OUTPUT_SCHEMA_VERSION,
        device: deviceName,
        address: where(device),
        keyType: scanned.keyType,
        fingerprint: scanned.fingerprint,
        pattern,
        outcome: pinned.outcome,
        replaced,
        file: PATHS.knownHosts,
      }),
    );
    return EXIT.ok;
  }
  // The key type is the device's own word: escaped.
  out.write(
    `${safeLine(deviceName)} (${safeLine(where(device))}) presents ${safeLine(scanned.keyType)} ${scanned.fingerprint}\n`,
  );
  if (pinned.outcome === "unchanged") {
    out.write(`unchanged: ${PATHS.knownHosts} already pins this key for ${safeLine(pattern)}\n`);
    return EXIT.ok;
  }
  if (pinned.outcome === "added") {
    out.write(`pinned in ${PATHS.knownHosts}: ${safeLine(pattern)} ${safeLine(scanned.keyType)} (new)\n`);
  } else {
    const before = replaced.map((p) => `${safeLine(p.keyType)} ${p.fingerprint}`).join(", ");
    out.write(
      `pinned in ${PATHS.knownHosts}: ${safeLine(pattern)} ${safeLine(scanned.keyType)}, replacing ${before}\n`,
    );
    out.write(
      "the device's key CHANGED: merge this only if you know it was reinstalled or rekeyed; " +
        "otherwise someone may be intercepting its SSH connections\n",
    );
  }
  out.write(
    `confirm the fingerprint out of band (on the device: ssh-keygen -lf <its host key .pub>), then review ` +
      `and commit: git diff ${PATHS.knownHosts}\n`,
  );
  return EXIT.ok;
}
