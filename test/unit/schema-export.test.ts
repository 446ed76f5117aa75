// The JSON Schema files editors use are generated from the TypeBox source: they must not drift.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXPORTS, schemaText } from "../../reconciler/schema/export.ts";
import { ROOT } from "../helpers/example-repo.ts";

describe("exported JSON Schemas", () => {
  for (const [file, schema] of Object.entries(EXPORTS)) {
    it(`${file} is up to date (regenerate with npx tsx reconciler/schema/export.ts)`, () => {
      expect(readFileSync(join(ROOT, "reconciler", "schema", "json", file), "utf8")).toBe(schemaText(schema));
    });
  }
});
