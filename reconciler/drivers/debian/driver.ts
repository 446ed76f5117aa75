// The Debian driver: WireGuard (wg-quick files, wg syncconf), bird2 or FRR, forwarding sysctls and
// ifupdown interfaces, over an SSH shell. Only read() does I/O; render and normalize are pure.
import type { ApplyDriver } from "../apply-contract.ts";
import type { Driver } from "../driver.ts";
import { debianApply as debianApplyImpl } from "./apply/apply.ts";
import { denormalizeDebian } from "./denormalize.ts";
import { debianDescriptor } from "./descriptor.ts";
import { normalizeDebian } from "./normalize.ts";
import { ownedDebian } from "./owned.ts";
import { readDebian } from "./read.ts";
import { renderDebian } from "./render.ts";

export const debianDriver: Driver = {
  platform: "debian",
  descriptor: debianDescriptor,
  read: readDebian,
  // File-shaped: the candidate does not depend on the live state.
  candidate: (intent, device) => renderDebian(intent, device),
  normalize: normalizeDebian,
  owned: ownedDebian,
  denormalize: denormalizeDebian,
};

/** The apply half: lock, keys, stage, arm, commit, health, confirm, rollback (see apply/). */
export const debianApply: ApplyDriver = debianApplyImpl;
