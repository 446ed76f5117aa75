// A Plan is a plain serializable value: `plan --out plan.json` writes it, `apply plan.json` reads it
// back. It holds the semantic changes a human reads and the exact file texts that will be written.

import type { Platform } from "../schema/inventory.ts";
import type { ErrorSummary } from "./errors.ts";
import type { PlannedCommand } from "./live.ts";
import type { PlanImpact } from "./routing-impact.ts";

export type Action = "create" | "update" | "delete";

/** One semantic change, in the closed vocabulary every platform shares. */
export interface Change {
  device: string;
  /** Where in the desired-state model, e.g. wireguard[wg-b].peers[XXKo...=].endpoint */
  path: string;
  action: Action;
  before?: unknown;
  after?: unknown;
}

/** One file as it will be written on the device. */
export interface FileChange {
  path: string;
  action: Action;
  before: string | null;
  after: string | null;
  /** Unified diff of before → after. */
  diff: string;
}

/** Something on the device that git does not describe and the reconciler does not own. */
export interface Unmanaged {
  path: string;
  value: unknown;
}

export interface DevicePlan {
  device: string;
  platform: Platform;
  status: "unchanged" | "changes" | "error";
  /** Fingerprint of the live state the plan was computed against. */
  fingerprint?: string;
  changes: Change[];
  /** For a file-shaped platform: the files that will be written, with their diffs. */
  files: FileChange[];
  /** For a command-shaped platform: the commands that will be sent, in order. */
  commands?: PlannedCommand[];
  /** Fingerprint of the candidate: apply refuses a saved plan whose candidate is no longer this one. */
  candidateFingerprint?: string;
  unmanaged: Unmanaged[];
  /** What the device has to say, above all that it reverted an unconfirmed change by itself. */
  notices?: string[];
  /** WireGuard public keys the device reported, for recording in git. */
  publicKeys?: Record<string, string>;
  error?: ErrorSummary;
}

export interface Plan {
  version: 1;
  createdAt: string;
  /** Where the desired state came from (working tree or revision). */
  origin: string;
  /** The git commit the desired state was read at (the working tree's HEAD), when known. */
  revision?: string;
  devices: DevicePlan[];
  /**
   * --shard K/N: this plan covers one shard of the fleet, whose devices are listed (before --limit);
   * merge-plans joins the N shards' plans into one, without this field.
   */
  shard?: { shard: string; devices: string[] };
  /** The routing impact against an earlier revision (impact/), or why there is none. */
  impact?: PlanImpact | string;
}

export const planHasChanges = (plan: Plan) => plan.devices.some((d) => d.status === "changes");
export const planHasErrors = (plan: Plan) => plan.devices.some((d) => d.status === "error");
