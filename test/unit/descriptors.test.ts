// Every platform's descriptor agrees with the schema it describes, and each driver owns the
// descriptor the loader uses for its platform.
import { describe, expect, it } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { DRIVERS } from "../../reconciler/drivers/index.ts";
import { DeviceIntent, Raw } from "../../reconciler/schema/device.ts";
import { PLATFORMS } from "../../reconciler/schema/inventory.ts";
import { expectDiagnostic, lineContaining } from "../helpers/diagnostics.ts";
import { exampleFiles, loadExample, replaceOnce } from "../helpers/example-repo.ts";

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

const sectionsOfSchema = Object.keys((DeviceIntent as SchemaNode).properties ?? {});
const rawOfSchema = (Raw as SchemaNode).properties ?? {};

describe.each(Object.values(DESCRIPTORS))("the $platform descriptor", (d) => {
  it("is registered under its own platform", () => {
    expect(DESCRIPTORS[d.platform]).toBe(d);
  });

  it("names only sections of the device schema, each once, never the description", () => {
    for (const section of d.sections) expect(sectionsOfSchema).toContain(section);
    expect(d.sections).not.toContain("description");
    expect(new Set(d.sections).size).toBe(d.sections.length);
  });

  it("accepts raw kinds only if it manages raw, and only kinds of the schema", () => {
    const kinds = Object.keys(d.raw);
    expect(kinds.length > 0).toBe(d.sections.includes("raw"));
    for (const kind of kinds) expect(Object.keys(rawOfSchema)).toContain(kind);
  });

  it("compares each raw kind in a way that fits its schema: text whole, list items by a field they have", () => {
    for (const [kind, items] of Object.entries(d.raw)) {
      const schema = rawOfSchema[kind] as SchemaNode;
      if ("text" in items) expect(schema.type, kind).toBe("string");
      else expect(schema.type, kind).toBe("array");
      if ("key" in items) expect(Object.keys(schema.items?.properties ?? {}), kind).toContain(items.key);
      if ("ordered" in items) expect(schema.items?.type, kind).toBe("string");
    }
  });

  it("accepts the names of its own implicit interfaces", () => {
    expect(d.implicitInterfaces.length).toBeGreaterThan(0);
    for (const name of d.implicitInterfaces) expect(d.interfaceNameProblem(name, false)).toBeUndefined();
  });

  it("finds nothing wrong with an empty desired state", () => {
    expect(d.check({})).toEqual([]);
  });

  it("has a routing suite exactly when it manages OSPF or BGP", () => {
    const routing = d.sections.includes("ospf") || d.sections.includes("bgp");
    const intent = d.sections.includes("routing_daemon") ? { routing_daemon: "frr" as const } : {};
    expect(d.routingSuite(intent) !== undefined).toBe(routing);
  });
});

describe("the registry", () => {
  it("has a descriptor for every platform of the inventory schema", () => {
    expect(Object.keys(DESCRIPTORS).sort()).toEqual([...PLATFORMS].sort());
  });

  it("gives every driver the descriptor of its platform", () => {
    const drivers = Object.values(DRIVERS);
    expect(drivers.length).toBeGreaterThan(0);
    for (const driver of drivers) expect(driver?.descriptor).toBe(DESCRIPTORS[driver?.platform ?? "debian"]);
  });
});

describe("platform rules", () => {
  it("Debian: raw text must be for the routing daemon the device runs", () => {
    const found = DESCRIPTORS.debian.check({ routing_daemon: "bird", raw: { bird: "x", frr: "y" } });
    expect(found).toEqual([
      expect.objectContaining({
        path: ["raw", "frr"],
        at: "key",
        message: "raw frr needs routing_daemon: frr (this device runs bird)",
      }),
    ]);
  });

  it("FRR's OSPFv3 carries no IPv4, on Debian with FRR and on OPNsense, not on Debian with bird", () => {
    const ospf = {
      router_id: "192.0.2.1",
      instances: [{ name: "v3", version: 3 as const, address_family: "ipv4" as const, areas: [] }],
    };
    const frrPath = [["ospf", "instances", 0, "address_family"]];
    expect(DESCRIPTORS.opnsense.check({ ospf }).map((f) => f.path)).toEqual(frrPath);
    expect(DESCRIPTORS.debian.check({ routing_daemon: "frr", ospf }).map((f) => f.path)).toEqual(frrPath);
    expect(DESCRIPTORS.debian.check({ routing_daemon: "bird", ospf })).toEqual([]);
  });

  it("interface names: OPNsense WireGuard devices are wgN, Linux names are at most 15 characters", () => {
    expect(DESCRIPTORS.opnsense.interfaceNameProblem("wg-core", true)).toMatch(/wg0, wg1/);
    expect(DESCRIPTORS.opnsense.interfaceNameProblem("wg12", true)).toBeUndefined();
    expect(DESCRIPTORS.debian.interfaceNameProblem("a-very-long-name", false)).toMatch(/at most 15/);
    expect(DESCRIPTORS.opengear.interfaceNameProblem("wg:1", true)).toMatch(/without '\/', ':'/);
    expect(DESCRIPTORS.routeros.interfaceNameProblem("bridge sector/1", false)).toBeUndefined();
  });

  it("the loopback an OSPF area may name undeclared is the platform's own: lo on Debian, not FreeBSD's lo0", async () => {
    const lo0 = replaceOnce("            - name: lo\n", "            - name: lo0\n");
    const r = await loadExample({ "desired/core-1.yaml": lo0 });
    const edited = lo0(exampleFiles().get("desired/core-1.yaml") ?? "");
    expectDiagnostic(r.diagnostics, {
      file: "desired/core-1.yaml",
      line: lineContaining(edited, "- name: lo0\n"),
      message: /^OSPF interface lo0 is not an interface of this device$/,
    });
    expect((await loadExample()).repo).toBeDefined();
  });
});
