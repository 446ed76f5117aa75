// For tests that drive an ApplyDriver's steps by hand: its optional parts, asserted present.
import type { ApplyDriver, KeysCapability, Staged } from "../../reconciler/drivers/apply-contract.ts";

export function armOf(driver: ApplyDriver): NonNullable<ApplyDriver["arm"]> {
  if (!driver.arm) throw new Error("this driver has no arm step (native commit-confirm)");
  return driver.arm.bind(driver);
}

export function keysOf(driver: ApplyDriver): KeysCapability {
  if (!driver.capabilities.keys) throw new Error("this driver does not generate WireGuard keys");
  return driver.capabilities.keys;
}

/** A Staged handle for steps whose staging happened elsewhere in the test (no secrets carried). */
export const stagedOf = (runId: string): Staged => ({ runId, where: "", secrets: [] });
