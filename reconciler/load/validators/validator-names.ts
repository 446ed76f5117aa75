// The names the validators go by (validators.ts loads them, compile-validators.ts and the build
// make them): apart, so that neither side imports the other.
import type { ValidateFunction } from "ajv";

/** The file formats, as the generated module names its exports. */
export const SCHEMA_NAMES = ["inventory", "wireguardKeys", "device", "links"] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** The generated module's file name, beside this module once compiled. */
export const GENERATED_FILE = "generated-validators.js";

export type ValidatorFor = (name: SchemaName) => ValidateFunction;
