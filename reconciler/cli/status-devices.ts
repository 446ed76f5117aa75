// `reconciler status --devices`: the device locks, read over SSH (read-only), after what the state
// store says. A device that cannot be asked is said so; the others are still asked.
import { Writable } from "node:stream";
import type { ApplyDriver } from "../drivers/apply-contract.ts";
import { summarizeError } from "../model/errors.ts";
import { mapLimit } from "../model/select.ts";
import { safeLine, safeMessage } from "../report/terminal-safe.ts";
import { EXIT } from "./exit-codes.ts";
import { loadSelected } from "./open-repo.ts";
import type { PlanDeps } from "./plan.ts";

export interface DeviceLockRow {
  device: string;
  lock: "free" | "held" | "unknown";
  holder?: string;
  stale?: string;
  error?: string;
}

export async function deviceLocks(
  opts: { repo?: string; limit?: string; json?: boolean },
  deps: Pick<PlanDeps, "openTransport"> & { applyDrivers: Readonly<Partial<Record<string, ApplyDriver>>> },
  out: NodeJS.WritableStream,
  color: boolean,
): Promise<number> {
  const selected = await loadSelected(opts, out, color);
  if (!selected) return EXIT.error;
  const transport = deps.openTransport(selected.repo, selected.knownHosts);
  let rows: DeviceLockRow[];
  try {
    rows = await mapLimit(selected.devices, 16, async (device): Promise<DeviceLockRow> => {
      const driver = deps.applyDrivers[device.platform];
      if (!driver?.lockState)
        return { device: device.name, lock: "unknown", error: `no lock support for ${device.platform} yet` };
      try {
        const held = await driver.lockState(await transport.session(device.name), device);
        return held
          ? {
              device: device.name,
              lock: "held",
              holder: held.describe,
              ...(held.stale ? { stale: held.stale } : {}),
            }
          : { device: device.name, lock: "free" };
      } catch (err) {
        return { device: device.name, lock: "unknown", error: summarizeError(err).message };
      }
    });
  } finally {
    await transport.closeAll();
  }
  if (opts.json) {
    out.write(`${JSON.stringify({ deviceLocks: rows }, null, 2)}\n`);
  } else {
    out.write("device locks:\n");
    for (const r of rows)
      out.write(
        `  ${safeLine(r.device)}: ${
          r.lock === "free"
            ? "free"
            : r.lock === "held"
              ? `held by ${safeLine(r.holder ?? "?")}${r.stale ? ` (looks stale: ${safeLine(r.stale)})` : ""}`
              : `cannot be read: ${safeMessage(r.error ?? "", "    ")}`
        }\n`,
      );
  }
  return rows.some((r) => r.lock === "unknown") ? EXIT.error : EXIT.ok;
}

/** Collects what a command prints, to merge JSON documents into one. */
export class TextSink extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}
