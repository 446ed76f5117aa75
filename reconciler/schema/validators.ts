// The ajv validator of each file format. The build (scripts/build.ts) turns the schemas into
// plain JavaScript once (ajv's standalone code, dist/reconciler/schema/generated-validators.js),
// so that a run loads code instead of compiling four schemas (~0.4 s of CPU, issue 14). When the
// sources run as they are (tsx, no build), the same ajv set-up compiles them here instead.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TSchema } from "@sinclair/typebox";
import type { Ajv, Options, ValidateFunction } from "ajv";
import { FORMATS } from "./formats.ts";
import { DeviceIntent, Inventory, LinksFile, WireguardKeys } from "./index.ts";

/** Each format's schema under the name the generated module exports it as. */
export const NAMED_SCHEMAS: Readonly<Record<string, TSchema>> = {
  inventory: Inventory,
  wireguardKeys: WireguardKeys,
  device: DeviceIntent,
  links: LinksFile,
};

/** The generated module's file name, beside this module once compiled. */
export const GENERATED_FILE = "generated-validators.js";

/** The one ajv set-up: every error (not the first), with the schema that failed (for the wording). */
export async function makeAjv(code?: Options["code"]): Promise<Ajv> {
  const { Ajv } = await import("ajv");
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, ...(code ? { code } : {}) });
  // The key rule a map's keys must follow, shown in diagnostics; no validation of its own.
  ajv.addKeyword({ keyword: "x-key", schemaType: "string" });
  for (const [name, test] of Object.entries(FORMATS)) ajv.addFormat(name, test);
  return ajv;
}

export type ValidatorFor = (schema: TSchema) => ValidateFunction;

/** The generated validators when the build made them, else validators compiled on first use. */
export async function loadValidators(dir: URL = new URL(".", import.meta.url)): Promise<ValidatorFor> {
  const generated = new URL(GENERATED_FILE, dir);
  if (existsSync(fileURLToPath(generated))) {
    const mod = (await import(generated.href)) as Record<string, ValidateFunction>;
    const bySchema = new Map<TSchema, ValidateFunction>();
    for (const [name, schema] of Object.entries(NAMED_SCHEMAS)) {
      const v = mod[name];
      if (!v) throw new Error(`${fileURLToPath(generated)} has no validator '${name}': run npm run build`);
      bySchema.set(schema, v);
    }
    return (schema) => {
      const v = bySchema.get(schema);
      if (!v) throw new Error("no generated validator for this schema");
      return v;
    };
  }
  const ajv = await makeAjv();
  const compiled = new WeakMap<TSchema, ValidateFunction>();
  return (schema) => {
    let v = compiled.get(schema);
    if (!v) {
      v = ajv.compile(schema);
      compiled.set(schema, v);
    }
    return v;
  };
}
