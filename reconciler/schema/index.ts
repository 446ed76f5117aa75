// The single source of truth for the YAML formats: each export is both a JSON Schema (the value)
// and a TypeScript type (the Static<> of it), so the two can never drift apart.
export { DeviceIntent } from "./device.ts";
export { Inventory, WireguardKeys } from "./inventory.ts";
export { LinksFile } from "./links.ts";
