// The schemas themselves: every string that can reach a device is bounded and constrained, and
// every object refuses unknown keys.
import { describe, expect, it } from "vitest";
import { DeviceIntent, Inventory, LinksFile, WireguardKeys } from "../../reconciler/schema/index.ts";

type Node = Record<string, unknown>;

function walk(node: unknown, path: string, visit: (n: Node, path: string) => void): void {
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  visit(n, path);
  for (const [k, v] of Object.entries(n)) {
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}/${k}/${i}`, visit));
    else if (v && typeof v === "object") walk(v, `${path}/${k}`, visit);
  }
}

const SCHEMAS = { DeviceIntent, Inventory, LinksFile, WireguardKeys };

describe("schemas", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`${name}: every string has a maximum length and a pattern, format or fixed value`, () => {
      const loose: string[] = [];
      walk(schema, name, (n, path) => {
        if (n.type !== "string") return;
        const constrained = "const" in n || "enum" in n || "pattern" in n || "format" in n;
        if (!constrained || (!("const" in n) && typeof n.maxLength !== "number")) loose.push(path);
      });
      expect(loose).toEqual([]);
    });

    it(`${name}: every object refuses unknown keys`, () => {
      const open: string[] = [];
      walk(schema, name, (n, path) => {
        if (n.type === "object" && n.additionalProperties !== false) open.push(path);
      });
      expect(open).toEqual([]);
    });
  }
});
