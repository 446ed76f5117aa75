// The descriptor of every platform, driver or not: the loader checks every device's desired state
// against its platform's rules even before a driver can apply it.
import type { Platform } from "../schema/inventory.ts";
import { debianDescriptor } from "./debian/descriptor.ts";
import type { PlatformDescriptor } from "./descriptor.ts";
import { opengearDescriptor } from "./opengear/descriptor.ts";
import { opnsenseDescriptor } from "./opnsense/descriptor.ts";
import { routerosDescriptor } from "./routeros/descriptor.ts";

export const DESCRIPTORS: Readonly<Record<Platform, PlatformDescriptor>> = {
  debian: debianDescriptor,
  routeros: routerosDescriptor,
  opnsense: opnsenseDescriptor,
  opengear: opengearDescriptor,
};
