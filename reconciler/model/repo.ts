// The desired state of the whole network as loaded from git: the inventory with every default
// resolved, the shared links, and each device's desired state with those links expanded into it.
import type { DeviceIntent } from "../schema/device.ts";
import type { Platform, RolloutSection, StateSectionSpec } from "../schema/inventory.ts";
import type { Link } from "../schema/links.ts";

export interface Credentials {
  agent: boolean;
  keyFileEnv?: string;
  passwordEnv?: string;
}

export interface ResolvedDevice {
  name: string;
  platform: Platform;
  host: string;
  port: number;
  user: string;
  credentials: Credentials;
  sudo: boolean;
  connectTimeoutS: number;
  groups: string[];
  labels: Record<string, string>;
  vars: Record<string, string | number | boolean>;
  /** The device management traffic to this one passes through, if any. */
  via?: string;
}

export interface DesiredRepo {
  origin: string;
  devices: Record<string, ResolvedDevice>;
  links: Link[];
  /** WireGuard public keys recorded in git: device -> interface -> key. */
  publicKeys: Record<string, Record<string, string>>;
  /** Per-device desired state with shared intent (links) expanded into it. */
  expanded: Record<string, DeviceIntent>;
  /** The inventory's rollout order (canaries, batch, failures tolerated, soak), as written. */
  rollout?: RolloutSection;
  /** Where the state store's history is shared, if anywhere. */
  state?: StateSectionSpec;
  /** The reconciler's source addresses or prefixes, as the devices see them (lockout analysis). */
  sources?: string[];
  /**
   * Per device, the WireGuard tunnels whose allowed IPs its platform turns into routes (the
   * platform's `allowedIpsAreRoutes`); a device absent routes none that is known.
   */
  routedTunnels?: Record<string, string[]>;
}
