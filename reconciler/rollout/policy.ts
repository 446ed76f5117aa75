// The rollout policy of a run: the inventory's rollout section, each field overridden by the
// operator's flag when given. Flags arrive as text and are checked here, so that every entry point
// refuses the same nonsense with the same words.
import type { RolloutSection } from "../schema/inventory.ts";
import type { RolloutPolicy } from "./engine.ts";

export interface PolicyFlags {
  /** Comma-separated names (globs) or label selectors, as --limit takes them; "" for none. */
  canary?: string;
  batch?: string;
  maxFailPercentage?: string;
  waveSoak?: string;
}

export class PolicyError extends Error {}

/** As the inventory's schema and --limit take them. */
const SELECTOR = /^([a-z0-9*?-]+|[a-z][a-z0-9_-]*=[A-Za-z0-9_.*?-]+)$/;

export function rolloutPolicy(section: RolloutSection | undefined, flags: PolicyFlags): RolloutPolicy {
  const policy: RolloutPolicy = {};
  const canary =
    flags.canary !== undefined
      ? flags.canary
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean)
      : section?.canary;
  for (const term of flags.canary !== undefined ? (canary ?? []) : [])
    if (!SELECTOR.test(term))
      throw new PolicyError(
        `--canary: ${JSON.stringify(term)} is neither a name glob such as tower-* nor a label such as site=pop-1`,
      );
  if (canary && canary.length > 0) policy.canary = canary;
  if (flags.batch !== undefined) {
    if (/^[0-9]{1,6}$/.test(flags.batch) && Number(flags.batch) >= 1) policy.batch = Number(flags.batch);
    else if (/^([1-9][0-9]?|100)%$/.test(flags.batch)) policy.batch = flags.batch;
    else
      throw new PolicyError("--batch must be a number of devices (at least 1) or a percentage such as 25%");
  } else if (section?.batch !== undefined) policy.batch = section.batch;
  if (flags.maxFailPercentage !== undefined) {
    if (!/^[0-9]{1,3}$/.test(flags.maxFailPercentage) || Number(flags.maxFailPercentage) > 100)
      throw new PolicyError("--max-fail-percentage must be a whole number from 0 to 100");
    policy.maxFailPercentage = Number(flags.maxFailPercentage);
  } else if (section?.max_fail_percentage !== undefined)
    policy.maxFailPercentage = section.max_fail_percentage;
  if (flags.waveSoak !== undefined) {
    if (!/^[0-9]{1,5}$/.test(flags.waveSoak))
      throw new PolicyError("--wave-soak must be a whole number of seconds");
    policy.soakS = Number(flags.waveSoak);
  } else if (section?.soak !== undefined) policy.soakS = section.soak;
  return policy;
}
