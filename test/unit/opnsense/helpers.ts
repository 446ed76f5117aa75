// Fixtures and the example's fw-1, for the OPNsense driver's tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { liveStateFromArtifacts } from "../../../reconciler/drivers/opnsense/live-state.ts";
import { CONFIG_XML } from "../../../reconciler/drivers/opnsense/paths.ts";
import { redactConfig } from "../../../reconciler/drivers/opnsense/secrets.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { testDevice } from "../../helpers/device.ts";
import { loadExample } from "../../helpers/example-repo.ts";

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");

export const device = testDevice("fw-1", { platform: "opnsense", host: "198.51.100.134" });

/** The live state of a box whose config.xml is `text` (redacted as the read script does). */
export const liveOf = (text: string) => liveStateFromArtifacts("fw-1", { [CONFIG_XML]: redactConfig(text) });

export async function fw1(): Promise<DeviceIntent> {
  const { repo } = await loadExample();
  const desired = repo?.expanded["fw-1"];
  if (!desired) throw new Error("the example has no fw-1");
  return desired;
}
