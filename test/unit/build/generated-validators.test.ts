// The validators generated at build time (ajv standalone code, scripts/build.ts) must report
// exactly what the validators compiled at run time report: same ajv errors, hence the same
// diagnostics (file, line, what, expected). The module is generated here as the build generates
// it, and both are fed the example network's files and many mutated copies of them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { schemaDiagnostics } from "../../../reconciler/load/schema-check.ts";
import { parseYamlSource } from "../../../reconciler/load/source.ts";
import { compiledValidators } from "../../../reconciler/load/validators/compile-validators.ts";
import { validatorsModuleSource } from "../../../reconciler/load/validators/generate-validators.ts";
import {
  GENERATED_FILE,
  loadValidators,
  type SchemaName,
  type ValidatorFor,
} from "../../../reconciler/load/validators/validators.ts";
import { exampleFiles, ROOT } from "../../helpers/example-repo.ts";

const schemaOf = (path: string): SchemaName =>
  path === "inventory/inventory.yaml"
    ? "inventory"
    : path === "inventory/wireguard-keys.yaml"
      ? "wireguardKeys"
      : path === "desired/links.yaml"
        ? "links"
        : "device";

const SEEDS = [...exampleFiles()]
  .filter(([p]) => p.endsWith(".yaml"))
  .map(([path, text]) => ({ path, schema: schemaOf(path), data: parseYamlSource(path, text).source.data }));

let dir: string;
let generated: ValidatorFor;
let compiled: ValidatorFor;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-validators-"));
  const source = await validatorsModuleSource({
    formatsImport: pathToFileURL(join(ROOT, "reconciler", "load", "validators", "formats.ts")).href,
    requireFrom: join(ROOT, "package.json"),
  });
  writeFileSync(join(dir, GENERATED_FILE), source);
  generated = await loadValidators(pathToFileURL(`${dir}/`));
  compiled = await compiledValidators();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both validators on one text: the ajv errors (as JSON) and the diagnostics must be identical. */
function compare(path: string, schema: SchemaName, text: string): number {
  const { source } = parseYamlSource(path, text);
  if (source.data === undefined) return 0;
  const [g, c] = [generated(schema), compiled(schema)];
  expect(g).not.toBe(c);
  const gDiags = schemaDiagnostics(source, g);
  const gErrors = JSON.parse(JSON.stringify(g.errors ?? []));
  const cDiags = schemaDiagnostics(source, c);
  const cErrors = JSON.parse(JSON.stringify(c.errors ?? []));
  expect(gErrors).toEqual(cErrors);
  expect(gDiags).toEqual(cDiags);
  return gDiags.length;
}

const VALUES = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    65536,
    1.5,
    "",
    "x".repeat(300),
    "192.0.2.1",
    "192.0.2.1/24",
    "192.0.2.0/24",
    "2001:db8::1/64",
    "2001:db8::/129",
    "[2001:db8::1]:51820",
    "203.0.113.9:0",
    "bad name!",
    "eth0",
    [],
    {},
    ["192.0.2.0/33"],
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
);

type Mutation = { at: number; op: "set" | "delete" | "add"; value: unknown; key: string };
const MUTATION: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "delete", "add"),
  value: VALUES,
  key: fc.constantFrom("password", "private_key", "colour", "PrivateKey", "x-y"),
});

/** Every place in a value a mutation can touch: [parent, key] pairs. */
function places(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push([value, i]);
      places(v, out);
    });
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, k]);
      places(v, out);
    }
  return out;
}

function mutate(data: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(data);
  for (const m of mutations) {
    const all = places(copy);
    if (all.length === 0) break;
    const [parent, key] = all[m.at % all.length] as [Record<string, unknown> | unknown[], string | number];
    if (m.op === "set") (parent as Record<string | number, unknown>)[key] = structuredClone(m.value);
    else if (m.op === "delete" && !Array.isArray(parent)) delete parent[key as string];
    else {
      const target = (parent as Record<string | number, unknown>)[key];
      if (target && typeof target === "object" && !Array.isArray(target))
        (target as Record<string, unknown>)[m.key] = structuredClone(m.value);
    }
  }
  return copy;
}

describe("the generated schema validators", () => {
  it("were generated from every schema and are not the compiled ones", () => {
    for (const s of ["inventory", "wireguardKeys", "device", "links"] as const)
      expect(typeof generated(s)).toBe("function");
  });

  it("accept the example network's files as the compiled ones do", () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(5);
    for (const s of SEEDS) expect(compare(s.path, s.schema, stringify(s.data))).toBe(0);
  });

  it("word a known problem as the compiled ones do: an unknown key with its hint", () => {
    const n = compare("desired/x.yaml", "device", "interfaces:\n  - name: wg0\n    password: hunter2\n");
    expect(n).toBeGreaterThan(0);
  });

  it("give the same errors and diagnostics on mutated files", () => {
    let withProblems = 0;
    let cases = 0;
    fc.assert(
      fc.property(fc.nat(SEEDS.length - 1), fc.array(MUTATION, { minLength: 1, maxLength: 4 }), (i, muts) => {
        const seed = SEEDS[i] as (typeof SEEDS)[number];
        cases++;
        if (compare(seed.path, seed.schema, stringify(mutate(seed.data, muts))) > 0) withProblems++;
      }),
      { numRuns: 400 },
    );
    // Most mutations break something: a comparison of empty error lists would prove little.
    expect(withProblems).toBeGreaterThan(cases / 2);
  });
});
