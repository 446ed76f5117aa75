// The simulator against Opengear's REST API description, when it is present beside the repository
// ($RECONCILER_REFERENCE_DIR/opengear/, test/helpers/reference.ts): the ports' and failover's
// field names and enums the description gives are the simulator's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceDir } from "../../helpers/reference.ts";
import { ENTITIES } from "../../sim/opengear/schema.ts";

const DIR = referenceDir("opengear");
const raml = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => f.endsWith(".raml"))
      .map((f) => readFileSync(join(DIR, f), "utf8"))
      .join("\n")
  : "";

const fields = (key: string) => ENTITIES.find((e) => e.key === key)?.fields ?? {};
const enumOf = (key: string, field: string) => {
  const f = fields(key)[field];
  return f && "t" in f && f.t === "string" ? f.enum : undefined;
};

describe.runIf(raml !== "")("conformance with the REST API description", () => {
  it("the failover status values", () => {
    const m = /failover_status"?:[\s\S]*?enum: \[([\s\S]*?)\]/.exec(raml);
    const values = [...(m?.[1] ?? "").matchAll(/"([a-z_]+)"/g)].map((x) => x[1]);
    expect(values.length).toBeGreaterThan(0);
    expect(enumOf("failover_status", "status")).toEqual(values);
  });

  it("the serial port example's fields and values", () => {
    const ex = /"ports": \[\s*(\{[\s\S]*?"sessions": \[\]\s*\})/.exec(raml)?.[1] ?? "";
    const keys = [...ex.matchAll(/^\s{20}"([a-z_]+)":/gm)].map((x) => x[1] as string);
    expect(keys.length).toBeGreaterThan(5);
    for (const k of keys) expect(Object.keys(fields("ports")), k).toContain(k);
    expect(enumOf("ports", "mode")).toEqual(["disabled", "consoleServer", "localConsole"]);
    expect(enumOf("ports", "pinout")).toEqual(["X1", "X2", "USB"]);
  });

  it("the failover settings' fields", () => {
    for (const k of ["enabled", "probe_physif", "probe_address"])
      expect(Object.keys(fields("failover_settings"))).toContain(k);
  });
});
