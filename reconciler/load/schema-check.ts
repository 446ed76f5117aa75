// Validates parsed YAML against the JSON Schemas with ajv and turns ajv's errors into
// diagnostics that say, in words, what was found and what was expected.

import type { ErrorObject, ValidateFunction } from "ajv";
import { type Diagnostic, type PathSegment, showValue } from "../model/diagnostic.ts";
import { diagnosticAt, type SourceFile } from "./source.ts";
import { loadValidators, type SchemaName } from "./validators/validators.ts";

// Generated at build time when there is a build, compiled here otherwise (validators/validators.ts).
const validatorFor = await loadValidators();

function pathOf(instancePath: string): PathSegment[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

const KEY_HINTS: Record<string, string> = {
  password: "passwords never go in git: name an environment variable with password_env",
  private_key: "private keys never leave the device: git holds public keys only",
  privatekey: "private keys never leave the device: git holds public keys only",
};

function describe(schema: unknown): string | undefined {
  if (schema && typeof schema === "object" && "description" in schema) return String(schema.description);
  return undefined;
}

function toDiagnostic(source: SourceFile, e: ErrorObject): Diagnostic {
  const path = pathOf(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const expected = describe(parent);
  switch (e.keyword) {
    case "required": {
      const key = String(e.params.missingProperty);
      const props = (parent?.properties ?? {}) as Record<string, unknown>;
      return diagnosticAt(source, path, {
        message: `missing required key '${key}'`,
        expected: describe(props[key]) ?? `a value for '${key}'`,
      });
    }
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const keyPath = [...path, key];
      if (parent && typeof parent["x-key"] === "string") {
        return diagnosticAt(
          source,
          keyPath,
          { message: `invalid key ${showValue(key)}`, value: showValue(key), expected: parent["x-key"] },
          "key",
        );
      }
      const known = Object.keys((parent?.properties ?? {}) as object);
      const hint = KEY_HINTS[key.toLowerCase()];
      return diagnosticAt(
        source,
        keyPath,
        {
          message: `unknown key ${showValue(key)}${hint ? ` (${hint})` : ""}`,
          value: showValue(key),
          expected: known.length ? `one of the keys: ${known.join(", ")}` : "no keys here",
        },
        "key",
      );
    }
    case "type":
      return diagnosticAt(source, path, {
        message:
          e.data === null
            ? "wrong type: the value is empty"
            : `wrong type: got ${jsonType(e.data)} ${showValue(e.data)}`,
        value: showValue(e.data),
        expected: expected ?? `a value of type ${String(e.params.type)}`,
      });
    case "minItems":
    case "maxItems":
      return diagnosticAt(source, path, {
        message: `${Array.isArray(e.data) ? e.data.length : 0} items`,
        expected: `${e.keyword === "minItems" ? "at least" : "at most"} ${String(e.params.limit)} items${expected ? ` (${expected})` : ""}`,
      });
    case "maxLength":
      return diagnosticAt(source, path, {
        message: `value is ${typeof e.data === "string" ? e.data.length : "?"} characters long`,
        value: showValue(e.data),
        expected: expected ?? `at most ${String(e.params.limit)} characters`,
      });
    default:
      return diagnosticAt(source, path, {
        message: `invalid value ${showValue(e.data)}`,
        value: showValue(e.data),
        expected: expected ?? e.message ?? "a valid value",
      });
  }
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `a ${typeof v}`;
}

/**
 * One diagnostic per real problem: ajv reports every failed branch of a union as well as the
 * union itself, and the union's description already says everything that was acceptable.
 */
function dropUnionNoise(errors: ErrorObject[]): ErrorObject[] {
  const unions = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.schemaPath));
  return errors.filter((e) => {
    if (e.keyword === "anyOf") return true;
    for (const u of unions) if (e.schemaPath.startsWith(`${u}/`)) return false;
    return true;
  });
}

/** The problems of a parsed file against one of the file formats (validators/validators.ts names them). */
export function checkSchema(source: SourceFile, schema: SchemaName): Diagnostic[] {
  return schemaDiagnostics(source, validatorFor(schema));
}

/** The problems a given validator finds (generated or compiled: a test holds them to the same words). */
export function schemaDiagnostics(source: SourceFile, validate: ValidateFunction): Diagnostic[] {
  if (validate(source.data)) return [];
  return dropUnionNoise(validate.errors ?? []).map((e) => toDiagnostic(source, e));
}
