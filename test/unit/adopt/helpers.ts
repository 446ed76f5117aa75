// Shared by the adoption tests: a Debian router's LiveState from the files the desired state
// renders to (the device runs exactly them), loading the example with files replaced, and
// planning one device against a live state.
import { debianDriver } from "../../../reconciler/drivers/debian/driver.ts";
import { fingerprintOf } from "../../../reconciler/drivers/debian/live-state.ts";
import { parseDebianFiles } from "../../../reconciler/drivers/debian/parse.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import { DESCRIPTORS } from "../../../reconciler/drivers/descriptors.ts";
import { loadRepo } from "../../../reconciler/load/load.ts";
import type { Diagnostic } from "../../../reconciler/model/diagnostic.ts";
import type { LiveState } from "../../../reconciler/model/live.ts";
import type { DevicePlan } from "../../../reconciler/model/plan.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { testDevice } from "../../helpers/device.ts";
import { exampleFiles, MemoryReader } from "../../helpers/example-repo.ts";

/** The live state of a router that runs exactly the files `intent` renders to. */
export function liveRunning(name: string, intent: DeviceIntent, extra: Partial<LiveState> = {}): LiveState {
  const artifacts: Record<string, string | null> = renderDebian(intent, testDevice(name)).files;
  const parsed = parseDebianFiles(artifacts);
  return {
    device: name,
    platform: "debian",
    state: parsed.state,
    artifacts,
    publicKeys: {},
    fingerprint: fingerprintOf(artifacts),
    ...extra,
  };
}

export async function loadFiles(files: ReadonlyMap<string, string>) {
  return loadRepo(new MemoryReader(new Map(files)), { descriptors: DESCRIPTORS });
}

/** The example's files with some replaced. */
export function filesWith(
  replaced: ReadonlyMap<string, string> | Record<string, string>,
): Map<string, string> {
  const files = exampleFiles();
  const entries = replaced instanceof Map ? [...replaced] : Object.entries(replaced);
  for (const [path, text] of entries) files.set(path, text);
  return files;
}

/** Loads and fails loudly with the diagnostics when the files do not load. */
export async function loadOk(
  files: ReadonlyMap<string, string>,
): Promise<{ repo: DesiredRepo; diagnostics: Diagnostic[] }> {
  const loaded = await loadFiles(files);
  if (!loaded.repo)
    throw new Error(
      `does not load:\n${loaded.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join("\n")}`,
    );
  return { repo: loaded.repo, diagnostics: loaded.diagnostics };
}

export function planOne(repo: DesiredRepo, name: string, live: LiveState): DevicePlan {
  const device = repo.devices[name];
  if (!device) throw new Error(`no device ${name}`);
  return planDevice(
    {
      device,
      desired: repo.expanded[name] ?? {},
      live,
      publicKeys: repo.publicKeys[name] ?? {},
    },
    debianDriver,
  );
}

/** A diagnostic as a line, for comparing the diagnostics of two loads. */
export const diagLine = (d: Diagnostic) => `${d.severity} ${d.file} ${d.message}`;
