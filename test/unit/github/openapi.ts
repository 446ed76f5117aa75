// GitHub's official OpenAPI description of api.github.com (@octokit/openapi), as the judge of
// every request the GitHub side sends: which operation a method and path are, whether the query
// parameters are the operation's, whether the body is valid against its requestBody schema (ajv)
// and holds no property the schema does not name; and the example response of an operation.
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const require = createRequire(import.meta.url);
// Only the api.github.com document (not GHES or GHEC).
const DOC_PATH = require.resolve("@octokit/openapi/generated/api.github.com.json");

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// OpenAPI 3.0's `nullable` without a `type` beside it (e.g. `{ oneOf: [...], nullable: true }`)
// is something ajv refuses to compile; it means "this, or null", which is what anyOf says.
function normaliseNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) out[k] = normaliseNullable(v);
  // OpenAPI's nullable admits null whatever the enum says; JSON Schema's enum does not.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null))
    out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _n, description, ...rest } = out;
    return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: "null" }] };
  }
  return out;
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  params: string[];
  literals: number;
  op: Obj;
}

export interface OpenApi {
  doc: Obj;
  /** The operation a method and a path (below the API root) are, or undefined. */
  match(
    method: string,
    path: string,
  ): { operation: Operation; pathParams: Record<string, string> } | undefined;
  /** Problems with a request: unknown query parameters, invalid values, an invalid body. */
  checkRequest(operation: Operation, query: URLSearchParams, body: unknown): string[];
  /** Problems with a response body against the operation's response schema for `status`. */
  checkResponse(operation: Operation, status: number, body: unknown): string[];
  /** The operation's example response body for `status` (a deep copy), or undefined. */
  example(operation: Operation, status: number): Json | undefined;
  resolve(node: Json): Json;
}

let cached: OpenApi | undefined;

export async function loadOpenApi(): Promise<OpenApi> {
  if (cached) return cached;
  const { readFile } = await import("node:fs/promises");
  const doc = normaliseNullable(JSON.parse(await readFile(DOC_PATH, "utf8"))) as Obj;

  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
  addFormats(ajv);
  // GitHub's own formats, not JSON Schema's.
  ajv.addFormat("repo.nwo", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  ajv.addFormat("uri-template", true);
  ajv.addSchema(doc as object, "gh");

  const resolve = (node: Json): Json => {
    let n = node;
    for (let i = 0; i < 20 && isObj(n) && typeof n.$ref === "string"; i++) {
      const parts = n.$ref
        .replace(/^#\//, "")
        .split("/")
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
      let cur: Json = doc;
      for (const p of parts) cur = isObj(cur) ? (cur[p] as Json) : null;
      n = cur;
    }
    return n;
  };

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Obj)) {
    if (!isObj(item)) continue;
    for (const method of ["get", "post", "patch", "put", "delete"]) {
      const op = item[method];
      if (!isObj(op)) continue;
      const params: string[] = [];
      const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name) => {
        params.push(name);
        return "([^/]+)";
      });
      operations.push({
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${source}$`),
        params,
        literals: template.split("/").filter((s) => s && !s.startsWith("{")).length,
        op,
      });
    }
  }

  const pointer = (segments: string[]) =>
    `gh#/${segments.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string): ValidateFunction => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: ref });
      validators.set(ref, v);
    }
    return v;
  };
  // An inline schema whose $refs point into the document, made to point into the "gh" schema.
  const compileInline = (schema: Json): ValidateFunction => {
    const text = JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"gh#/');
    let v = validators.get(text);
    if (!v) {
      v = ajv.compile(JSON.parse(text));
      validators.set(text, v);
    }
    return v;
  };

  // Properties a body holds that its schema does not name: ajv accepts them (GitHub's schemas
  // leave additionalProperties open), GitHub ignores them, and a misspelt field would go unseen.
  const unknownKeys = (schemaNode: Json, data: unknown, at: string, out: string[]): void => {
    const schema = resolve(schemaNode);
    if (!isObj(schema)) return;
    const branches = ["allOf", "anyOf", "oneOf"].flatMap((k) =>
      Array.isArray(schema[k]) ? (schema[k] as Json[]).map(resolve) : [],
    );
    if (Array.isArray(data)) {
      if (schema.items) data.forEach((d, i) => unknownKeys(schema.items as Json, d, `${at}[${i}]`, out));
      return;
    }
    if (!isObj(data as Json)) return;
    const all = [schema, ...branches].filter(isObj);
    const named = new Map<string, Json>();
    for (const s of all)
      if (isObj(s.properties)) for (const [k, v] of Object.entries(s.properties)) named.set(k, v);
    if (named.size === 0) return;
    for (const [k, v] of Object.entries(data as Obj)) {
      const sub = named.get(k);
      if (sub === undefined) out.push(`${at}.${k} is not a property of the schema`);
      else unknownKeys(sub, v, `${at}.${k}`, out);
    }
  };

  const responseOf = (operation: Operation, status: number): Obj | undefined => {
    const r = resolve((operation.op.responses as Obj)[String(status)] ?? null);
    const content = isObj(r) && isObj(r.content) ? r.content["application/json"] : undefined;
    return isObj(content) ? content : undefined;
  };

  cached = {
    doc,
    resolve,
    match(method, path) {
      const candidates = operations
        .filter((o) => o.method === method.toUpperCase() && o.regex.test(path))
        .sort((a, b) => b.literals - a.literals);
      const operation = candidates[0];
      if (!operation) return undefined;
      const m = operation.regex.exec(path) as RegExpExecArray;
      const pathParams: Record<string, string> = {};
      operation.params.forEach((p, i) => {
        pathParams[p] = decodeURIComponent(m[i + 1] as string);
      });
      return { operation, pathParams };
    },
    checkRequest(operation, query, body) {
      const problems: string[] = [];
      const params = ((operation.op.parameters as Json[]) ?? []).map(resolve).filter(isObj);
      for (const [name, value] of query) {
        const p = params.find((x) => x.in === "query" && x.name === name);
        if (!p) {
          problems.push(`query parameter ${name} is not a parameter of ${operation.operationId}`);
          continue;
        }
        const schema = resolve(p.schema as Json);
        const typed: unknown =
          isObj(schema) && schema.type === "integer" && /^-?\d+$/.test(value) ? Number(value) : value;
        const v = compileInline(schema);
        if (!v(typed)) problems.push(`query ${name}=${value}: ${ajv.errorsText(v.errors)}`);
      }
      const rb = resolve((operation.op.requestBody as Json) ?? null);
      const content = isObj(rb) && isObj(rb.content) ? rb.content["application/json"] : undefined;
      if (isObj(content)) {
        if (body === undefined) {
          if (rb && isObj(rb) && rb.required) problems.push(`${operation.operationId}: the body is required`);
        } else {
          const segments = ["paths", operation.template, operation.method.toLowerCase(), "requestBody"];
          const ref =
            isObj((operation.op.requestBody as Obj) ?? null) && (operation.op.requestBody as Obj).$ref;
          const schemaRef =
            typeof ref === "string"
              ? `gh${ref}/content/application~1json/schema`
              : `${pointer(segments)}/content/application~1json/schema`;
          const v = validator(schemaRef);
          if (!v(body)) problems.push(`${operation.operationId} body: ${ajv.errorsText(v.errors)}`);
          unknownKeys(content.schema as Json, body, "body", problems);
        }
      } else if (body !== undefined) {
        problems.push(`${operation.operationId} takes no body`);
      }
      return problems;
    },
    checkResponse(operation, status, body) {
      const content = responseOf(operation, status);
      if (!content) return [];
      const v = compileInline(content.schema as Json);
      return v(body) ? [] : [`${operation.operationId} ${status} response: ${ajv.errorsText(v.errors)}`];
    },
    example(operation, status) {
      const content = responseOf(operation, status);
      if (!content) return undefined;
      if (content.example !== undefined) return structuredClone(content.example);
      const examples = isObj(content.examples) ? Object.values(content.examples) : [];
      const first = examples[0] !== undefined ? resolve(examples[0]) : undefined;
      return isObj(first) && first.value !== undefined ? structuredClone(first.value) : undefined;
    },
  };
  return cached;
}
