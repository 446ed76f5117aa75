// What a driver reads from a device: its state in the desired-state vocabulary (so the planner
// compares like with like) and the raw text it came from (the snapshot a rollback restores).
import type { DeviceIntent } from "../schema/device.ts";
import type { Platform } from "../schema/inventory.ts";

export interface LiveState {
  device: string;
  platform: Platform;
  /** The managed sections as the device runs them now. */
  state: DeviceIntent;
  /**
   * Every managed artifact as read: absolute file path (or a pseudo-path such as
   * "vtysh:running-config") to its text; null when the file does not exist.
   */
  artifacts: Record<string, string | null>;
  /** Public key of each WireGuard interface, as the device reports it. Never private keys. */
  publicKeys: Record<string, string>;
  /** sha256 over the artifacts: a saved plan is refused when this no longer matches the device. */
  fingerprint: string;
  /**
   * Things an operator must hear about, found on the device: above all a change that was never
   * confirmed and that the device reverted by itself ("run 20261125T... reverted at ...").
   */
  notices?: string[];
  /**
   * Running state that differs from what the configuration asks for, although every file is as
   * rendered: a protocol disabled by hand, a daemon not running. Drift like any other: the plan
   * shows it, apply restores it (the artifacts it came from are left out of the fingerprint).
   */
  runtime?: RuntimeDrift[];
}

export interface RuntimeDrift {
  /** e.g. "runtime.bird.protocol[mesh4]". */
  path: string;
  /** What runs now, e.g. "down (disabled at run time)". */
  seen: string;
  /** What the configuration asks for, e.g. "up". */
  expected: string;
}

/**
 * What a platform applies, computed by its driver from the desired state (and, for command-shaped
 * platforms, from the live state): the exact content of every managed file (Debian, OPNsense's
 * config.xml), or the ordered commands that turn live into desired (RouterOS, ogcli). The plan
 * shows it as it will be sent; a saved plan carries its fingerprint (plan/candidate.ts).
 */
export type Candidate = FilesCandidate | CommandsCandidate;

export interface FilesCandidate {
  kind: "files";
  /** Every managed file: its exact content, or null when it must not exist. */
  files: Record<string, string | null>;
}

export interface CommandsCandidate {
  kind: "commands";
  /** In the order they are sent; empty when live already is as desired. */
  commands: PlannedCommand[];
}

export interface PlannedCommand {
  /** Exactly what is sent, in the device CLI's own syntax (secrets as placeholders). */
  line: string;
  /** For the human reading the plan, e.g. "add the WireGuard peer of link a-b". */
  description: string;
}
