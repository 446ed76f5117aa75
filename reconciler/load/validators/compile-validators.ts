// The schemas compiled by ajv: the build generates code from this set-up (generate-validators.ts),
// and a run without a build (the sources through tsx) compiles here, each schema on first use.
// Imported only on those paths: TypeBox and ajv's compiler stay out of a built run.
import type { TSchema } from "@sinclair/typebox";
import type { Ajv, Options, ValidateFunction } from "ajv";
import { DeviceIntent, Inventory, LinksFile, WireguardKeys } from "../../schema/index.ts";
import { FORMATS } from "./formats.ts";
import type { SchemaName, ValidatorFor } from "./validator-names.ts";

export const NAMED_SCHEMAS: Readonly<Record<SchemaName, TSchema>> = {
  inventory: Inventory,
  wireguardKeys: WireguardKeys,
  device: DeviceIntent,
  links: LinksFile,
};

/** The one ajv set-up: every error (not the first), with the schema that failed (for the wording). */
export async function makeAjv(code?: Options["code"]): Promise<Ajv> {
  const { Ajv } = await import("ajv");
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, ...(code ? { code } : {}) });
  // The rule a map's keys must follow, shown in diagnostics; it validates nothing itself.
  ajv.addKeyword({ keyword: "x-key", schemaType: "string" });
  for (const [name, test] of Object.entries(FORMATS)) ajv.addFormat(name, test);
  return ajv;
}

export async function compiledValidators(): Promise<ValidatorFor> {
  const ajv = await makeAjv();
  const compiled = new Map<SchemaName, ValidateFunction>();
  return (name) => {
    let v = compiled.get(name);
    if (!v) {
      v = ajv.compile(NAMED_SCHEMAS[name]);
      compiled.set(name, v);
    }
    return v;
  };
}
