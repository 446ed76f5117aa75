// What a driver declares about its platform without talking to a device: the sections it
// manages, its raw escape hatches, how it names interfaces, its routing suite, its own checks of
// the desired state, and the values it assumes when a field is unset. The loader and the planner
// read it (through the plain PlatformRules view in model/platform.ts); they never import drivers/.
import type { PlatformRules } from "../model/platform.ts";

export type {
  IntentFinding,
  ListRules,
  PlatformRules,
  RawItems,
  RawKind,
  RoutingSuite,
  Section,
} from "../model/platform.ts";

export interface PlatformDescriptor extends PlatformRules {
  /**
   * The values the platform uses when a field is left unset, where its driver knows them (its
   * normalize fills them in so that "unset" and "set to the default" compare equal).
   */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

/** For platforms whose rules are all declarative. */
export const noChecks = (): [] => [];
