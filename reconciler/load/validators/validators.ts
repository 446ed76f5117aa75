// The ajv validator of each file format, by name. The build (scripts/build.ts) turns the schemas
// into plain JavaScript once (ajv's standalone code, dist/reconciler/load/validators/generated-validators.js),
// so that a run loads code instead of importing TypeBox and compiling four schemas with ajv
// (~0.2 s of CPU together, issue 14). When the sources run as they are (tsx, no build), the same
// ajv set-up compiles them instead (compile-validators.ts), on first use.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { GENERATED_FILE, SCHEMA_NAMES, type SchemaName, type ValidatorFor } from "./validator-names.ts";

export { GENERATED_FILE, SCHEMA_NAMES, type SchemaName, type ValidatorFor } from "./validator-names.ts";

/** The generated validators when the build made them (in dir), else validators compiled on first use. */
export async function loadValidators(dir: URL = new URL(".", import.meta.url)): Promise<ValidatorFor> {
  const generated = new URL(GENERATED_FILE, dir);
  if (!existsSync(fileURLToPath(generated)))
    return (await import("./compile-validators.ts")).compiledValidators();
  const mod = (await import(generated.href)) as Record<string, ValidateFunction | undefined>;
  const byName = new Map<SchemaName, ValidateFunction>();
  for (const name of SCHEMA_NAMES) {
    const v = mod[name];
    if (typeof v !== "function")
      throw new Error(`${fileURLToPath(generated)} has no validator '${name}': run npm run build`);
    byName.set(name, v);
  }
  return (name) => byName.get(name) as ValidateFunction;
}
