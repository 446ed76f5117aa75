// Writes the schemas as JSON Schema files for editors (yaml-language-server reads the modeline at
// the top of each example file). Generated from the TypeBox source; a test keeps them in sync.
// Run: npx tsx reconciler/schema/export.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { DeviceIntent, Inventory, LinksFile, WireguardKeys } from "./index.ts";
import { OUTPUT_SCHEMAS } from "./outputs.ts";

export const EXPORTS: Record<string, TSchema> = {
  "inventory.schema.json": Inventory,
  "wireguard-keys.schema.json": WireguardKeys,
  "device.schema.json": DeviceIntent,
  "links.schema.json": LinksFile,
  // What the commands print with --json (outputs.ts).
  ...OUTPUT_SCHEMAS,
};

export function schemaText(schema: TSchema): string {
  return `${JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema }, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, schema] of Object.entries(EXPORTS)) {
    writeFileSync(join(import.meta.dirname, "json", file), schemaText(schema));
  }
}
