// What the loader and the planner ask of a platform, as plain types. The values (which sections
// Debian manages, how RouterOS names interfaces...) live with each driver, in
// drivers/<platform>/descriptor.ts, and are passed in: load/ and plan/ never import drivers/.
import type { DeviceIntent, WireguardInterface } from "../schema/device.ts";
import type { Platform } from "../schema/inventory.ts";
import type { PathSegment, Severity } from "./diagnostic.ts";

export type Section = Exclude<keyof DeviceIntent, "description">;
export type RawKind = keyof NonNullable<DeviceIntent["raw"]>;
/** The software that runs OSPF and BGP on a device. */
export type RoutingSuite = "bird" | "frr" | "routeros";

/**
 * How the items of one raw escape hatch are compared: a text compared whole, lines whose order
 * is their meaning, or items identified by one of their fields.
 */
export type RawItems = { readonly text: true } | { readonly ordered: true } | { readonly key: string };

/** Lists matched beyond the generic ones (plan/keys.ts): schema path → identifying field, or in order. */
export interface ListRules {
  readonly keys?: Readonly<Record<string, string>>;
  readonly ordered?: readonly string[];
}

/** A problem a platform finds in a device's desired state; the loader gives it its file and line. */
export interface IntentFinding {
  /** Path of the offending value (or key) in the device file, e.g. ["raw", "frr"]. */
  readonly path: readonly PathSegment[];
  /** Point at the key rather than the value. */
  readonly at?: "key" | "value";
  readonly severity?: Severity;
  readonly message: string;
  readonly value?: string;
  readonly expected?: string;
}

/** The rules of one platform that the loader and the planner apply. */
export interface PlatformRules {
  readonly platform: Platform;
  /** Sections of the desired state the platform manages; any other is an input error. */
  readonly sections: readonly Section[];
  /** The raw escape hatches the platform accepts, and how each one's items are compared. */
  readonly raw: Readonly<Partial<Record<RawKind, RawItems>>>;
  /** Interfaces every device of the platform has without declaring them (the loopback). */
  readonly implicitInterfaces: readonly string[];
  /** Why the platform refuses an interface name (what it would accept), or undefined. */
  interfaceNameProblem(name: string, wireguard: boolean): string | undefined;
  /** The software that runs OSPF and BGP for this desired state, if any. */
  routingSuite(intent: DeviceIntent): RoutingSuite | undefined;
  /** Pure: checks that only this platform makes of a device's desired state. */
  check(intent: DeviceIntent): IntentFinding[];
  /**
   * Whether the platform routes a WireGuard tunnel's allowed IPs into it (wg-quick's default, an
   * Opengear), rather than leaving routing to a daemon or to explicit routes. Unset: not known,
   * and the lockout analysis does not judge the tunnel's routes.
   */
  readonly allowedIpsAreRoutes?: (tunnel: WireguardInterface) => boolean;
}

export type PlatformRuleSet = Readonly<Record<Platform, PlatformRules>>;
