// Vendor reference files (real exports, a config.xml sample, API descriptions, all from public
// sources) are not part of the project and are never copied into it. Tests that can also check
// against them read them from the folder RECONCILER_REFERENCE_DIR names (one subfolder per
// platform: routeros/, opnsense/, opengear/); without it they check the project's own fixtures,
// which reproduce the same traps, and say so.
import { join } from "node:path";

/** The reference folder of a platform, or a path that does not exist when none is configured. */
export function referenceDir(platform: "routeros" | "opnsense" | "opengear"): string {
  const root = process.env.RECONCILER_REFERENCE_DIR;
  return root ? join(root, platform) : join("/nonexistent-reference", platform);
}
