// The driver of each platform. Platforms without one yet are planned as an error for their
// devices ("no driver for platform ..."), never silently skipped.
import type { Platform } from "../schema/inventory.ts";
import type { ApplyDriver } from "./apply-contract.ts";
import { debianApply, debianDriver } from "./debian/driver.ts";
import type { Driver } from "./driver.ts";
import { opnsenseApply } from "./opnsense/apply/apply.ts";
import { opnsenseDriver } from "./opnsense/driver.ts";
import { routerosApply } from "./routeros/apply.ts";
import { routerosDriver } from "./routeros/driver.ts";

export const DRIVERS: Readonly<Partial<Record<Platform, Driver>>> = {
  debian: debianDriver,
  routeros: routerosDriver,
  opnsense: opnsenseDriver,
};

export const APPLY_DRIVERS: Readonly<Partial<Record<Platform, ApplyDriver>>> = {
  debian: debianApply,
  routeros: routerosApply,
  opnsense: opnsenseApply,
};
