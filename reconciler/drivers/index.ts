// The driver of each platform. Platforms without one yet are planned as an error for their
// devices ("no driver for platform ..."), never silently skipped.
import type { Platform } from "../schema/inventory.ts";
import { debianDriver } from "./debian/driver.ts";
import type { Driver } from "./driver.ts";

export const DRIVERS: Readonly<Partial<Record<Platform, Driver>>> = {
  debian: debianDriver,
};
