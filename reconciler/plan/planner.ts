// The planner: a pure function from (desired, live) to a Plan. It imports nothing that does I/O;
// the drivers' pure halves (candidate, normalize, owned) are passed in.
import { createTwoFilesPatch } from "diff";
import type { Candidate, FilesCandidate, LiveState } from "../model/live.ts";
import type { Change, DevicePlan, FileChange, Plan, Unmanaged } from "../model/plan.ts";
import type { PlatformRules } from "../model/platform.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import { candidateFingerprint } from "./candidate.ts";
import { diffStates } from "./diff.ts";
import { rawListRules } from "./keys.ts";

/** The pure part of a driver the planner needs. */
export interface PlannerDriver {
  candidate(intent: DeviceIntent, device: ResolvedDevice, live: LiveState): Candidate;
  normalize(intent: DeviceIntent): DeviceIntent;
  /** Items and files on the device that the reconciler created (it may delete them). */
  owned(live: LiveState): ReadonlySet<string>;
  /** How the platform's raw escape hatches compare (its descriptor); none when absent. */
  readonly descriptor?: Pick<PlatformRules, "raw">;
  /** What the device carries beyond the model (see Driver.unmanaged). */
  unmanaged?(live: LiveState, desired: DeviceIntent): Unmanaged[];
}

export interface DeviceInput {
  device: ResolvedDevice;
  desired: DeviceIntent;
  /** The live state, or the error that prevented reading it. */
  live: LiveState | { error: DevicePlan["error"] };
  /** The WireGuard public keys git records for this device (inventory/wireguard-keys.yaml). */
  publicKeys?: Readonly<Record<string, string>>;
}

/**
 * A running WireGuard interface whose key is not the one git records (a rotated key, generated on
 * the device by `reconciler keys`, not yet in use): the interface must be reloaded.
 */
function keyChanges(input: DeviceInput, live: LiveState): Change[] {
  const wanted = new Set((input.desired.wireguard ?? []).map((w) => w.name));
  return Object.entries(live.publicKeys)
    .filter(
      ([iface, key]) =>
        wanted.has(iface) && input.publicKeys?.[iface] !== undefined && input.publicKeys[iface] !== key,
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([iface, key]) => ({
      device: input.device.name,
      path: `wireguard[${iface}].public_key`,
      action: "update" as const,
      before: key,
      after: input.publicKeys?.[iface],
    }));
}

/** Running state that differs from the configuration (a protocol disabled by hand): apply restores it. */
function runtimeChanges(input: DeviceInput, live: LiveState): Change[] {
  return (live.runtime ?? []).map((r) => ({
    device: input.device.name,
    path: r.path,
    action: "update" as const,
    before: r.seen,
    after: r.expected,
  }));
}

export interface PlanOptions {
  origin: string;
  /** The commit the desired state was read at, when known: pinned into the plan. */
  revision?: string;
  /** Platforms without a driver are planned as an error for their devices. */
  drivers: Readonly<Partial<Record<string, PlannerDriver>>>;
  /** Injected so plans are reproducible in tests. */
  now?: () => Date;
}

export function fileChanges(
  rendered: FilesCandidate,
  live: LiveState,
  owned: ReadonlySet<string>,
): FileChange[] {
  const paths = new Set(Object.keys(rendered.files));
  for (const path of Object.keys(live.artifacts)) {
    if (path.startsWith("/") && owned.has(`file:${path}`)) paths.add(path);
  }
  const out: FileChange[] = [];
  for (const path of [...paths].sort()) {
    const before = live.artifacts[path] ?? null;
    const after = rendered.files[path] ?? null;
    if (before === after) continue;
    const action = before === null ? "create" : after === null ? "delete" : "update";
    const diff = createTwoFilesPatch(
      path,
      path,
      before ?? "",
      after ?? "",
      before === null ? "(absent)" : "live",
      after === null ? "(absent)" : "desired",
    );
    out.push({ path, action, before, after, diff });
  }
  return out;
}

export function planDevice(input: DeviceInput, driver: PlannerDriver): DevicePlan {
  const { device } = input;
  const base = { device: device.name, platform: device.platform, changes: [], files: [], unmanaged: [] };
  if ("error" in input.live)
    return { ...base, status: "error", ...(input.live.error ? { error: input.live.error } : {}) };
  const live = input.live;
  const owned = driver.owned(live);
  const diff = diffStates(driver.normalize(input.desired), driver.normalize(live.state), {
    device: device.name,
    owned,
    lists: rawListRules(driver.descriptor?.raw ?? {}),
  });
  const changes = [...diff.changes, ...keyChanges(input, live), ...runtimeChanges(input, live)];
  const unmanaged = [...diff.unmanaged, ...(driver.unmanaged?.(live, input.desired) ?? [])];
  let candidate: Candidate;
  try {
    candidate = driver.candidate(input.desired, device, live);
  } catch (e) {
    // What git asks for cannot be built on this device as it is (a name the device uses for an
    // interface of another kind, a raw line refused): this device's plan is an error, the
    // others' are still made.
    return {
      ...base,
      status: "error",
      fingerprint: live.fingerprint,
      error: { kind: "CandidateError", message: e instanceof Error ? e.message : String(e) },
    };
  }
  const files = candidate.kind === "files" ? fileChanges(candidate, live, owned) : [];
  const commands = candidate.kind === "commands" ? candidate.commands : [];
  return {
    ...base,
    status: changes.length > 0 || files.length > 0 || commands.length > 0 ? "changes" : "unchanged",
    fingerprint: live.fingerprint,
    candidateFingerprint: candidateFingerprint(candidate),
    changes,
    files,
    ...(candidate.kind === "commands" ? { commands } : {}),
    unmanaged,
    publicKeys: { ...live.publicKeys },
    // Each notice once, however often the device repeats it; a confirmed run clears them there.
    ...(live.notices?.length ? { notices: [...new Set(live.notices)] } : {}),
  };
}

export function plan(inputs: readonly DeviceInput[], options: PlanOptions): Plan {
  const devices = [...inputs]
    .sort((a, b) => a.device.name.localeCompare(b.device.name))
    .map((input) => {
      const driver = options.drivers[input.device.platform];
      if (!driver) {
        return {
          device: input.device.name,
          platform: input.device.platform,
          status: "error" as const,
          changes: [],
          files: [],
          unmanaged: [],
          error: {
            kind: "UnsupportedPlatform",
            message: `no driver for platform ${input.device.platform} yet`,
          },
        };
      }
      return planDevice(input, driver);
    });
  return {
    version: 1,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    origin: options.origin,
    ...(options.revision ? { revision: options.revision } : {}),
    devices,
  };
}
