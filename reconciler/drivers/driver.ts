// One driver per platform behind one interface, NAPALM-style. Pure parse/render live beside the
// driver; only the driver does I/O, and only through a DeviceSession.
import type { Candidate, LiveState } from "../model/live.ts";
import type { Unmanaged } from "../model/plan.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import type { DeviceIntent } from "../schema/device.ts";
import type { Platform } from "../schema/inventory.ts";
import type { DeviceSession } from "../transport/session.ts";
import type { PlatformDescriptor } from "./descriptor.ts";
import type { HealthProbe } from "./health.ts";

/** Names the variable an unnamed secret goes in (adopt/secrets.ts SecretNamer). */
export interface SecretNaming {
  name(current: string | undefined, what: string, ...parts: (string | number)[]): string;
}

export interface DenormalizeContext {
  live: LiveState;
  namer: SecretNaming;
  device: string;
}

export interface Driver {
  readonly platform: Platform;
  /** What the platform declares without a device: sections, raw kinds, names, checks (descriptor.ts). */
  readonly descriptor: PlatformDescriptor;
  /** Reads the managed state and its raw artifacts. */
  read(session: DeviceSession, device: ResolvedDevice): Promise<LiveState>;
  /**
   * Pure: what the desired state becomes on this platform: the exact files, or the ordered
   * commands that turn `live` into it (command-shaped platforms need the live state).
   */
  candidate(intent: DeviceIntent, device: ResolvedDevice, live: LiveState): Candidate;
  /**
   * Pure: the projection of a state onto what this platform can observe when it reads a device
   * back (descriptions it cannot store dropped, defaults filled, sets sorted). Applied to both the
   * desired and the live state before they are compared, so a freshly applied device shows no drift.
   */
  normalize(intent: DeviceIntent): DeviceIntent;
  /**
   * Pure: what on the device the reconciler itself created (paths such as "wireguard[wg-b]",
   * "forwarding", "file:/etc/bird/bird.conf"). Only these may be deleted when git drops them.
   */
  owned(live: LiveState): ReadonlySet<string>;
  /**
   * Pure, optional: the reverse of normalize for `reconciler import` and drift adoption: the live
   * state as a human would write it (defaults the platform fills in left out unless the device's
   * own files spell them; unnamed secrets given variable names through ctx.namer).
   */
  denormalize?(state: DeviceIntent, ctx: DenormalizeContext): DeviceIntent;
  /**
   * Pure, optional: what the device carries beyond the model (menus and properties the model has
   * no field for) that the desired state does not ask for either, for the plan's "unmanaged" list.
   * The model diff finds the rest.
   */
  unmanaged?(live: LiveState, desired: DeviceIntent): Unmanaged[];
  /**
   * Pure, optional: what else a healthy device of this platform shows after a change, from its
   * desired state, beside the probes every device gets from its links (apply/expectations.ts):
   * an out-of-band box's console ports, failover and management VPN.
   */
  healthProbes?(intent: DeviceIntent): HealthProbe[];
}
