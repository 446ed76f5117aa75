// The driver of each platform. A platform without one would be planned as an error for its
// devices ("no driver for platform ..."), never silently skipped.
import type { Platform } from "../schema/inventory.ts";
import type { ApplyDriver } from "./apply-contract.ts";
import { debianApply, debianDriver } from "./debian/driver.ts";
import type { Driver } from "./driver.ts";
import { opengearApply } from "./opengear/apply/apply.ts";
import { opengearDriver } from "./opengear/driver.ts";
import { opnsenseApply } from "./opnsense/apply/apply.ts";
import { opnsenseDriver } from "./opnsense/driver.ts";
import { routerosApply } from "./routeros/apply.ts";
import { routerosDriver } from "./routeros/driver.ts";

export const DRIVERS: Readonly<Partial<Record<Platform, Driver>>> = {
  debian: debianDriver,
  routeros: routerosDriver,
  opnsense: opnsenseDriver,
  opengear: opengearDriver,
};

export const APPLY_DRIVERS: Readonly<Partial<Record<Platform, ApplyDriver>>> = {
  debian: debianApply,
  routeros: routerosApply,
  opnsense: opnsenseApply,
  opengear: opengearApply,
};
