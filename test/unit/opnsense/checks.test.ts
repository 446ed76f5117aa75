// What OPNsense refuses although the schema allows it, placed at file:line by the loader.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectDiagnostic, lineContaining } from "../../helpers/diagnostics.ts";
import { loadExample, ROOT, replaceOnce } from "../../helpers/example-repo.ts";

const FILE = "desired/fw-1.yaml";

describe("the OPNsense checks of a device file", () => {
  it("finds nothing to refuse in the example's fw-1", async () => {
    const { diagnostics } = await loadExample();
    expect(diagnostics.filter((d) => d.file === FILE)).toEqual([]);
  });

  it("refuses simple OSPF authentication, a stub area and an update source no interface has, at their lines", async () => {
    const edit = (t: string) =>
      replaceOnce(
        "            - name: lo1\n              passive: true",
        "            - name: lo1\n              passive: true\n              authentication: { type: simple }",
      )(
        replaceOnce(
          "        - id: 0.0.0.0",
          "        - id: 0.0.0.0\n          stub: true",
        )(replaceOnce("update_source: 192.0.2.197", "update_source: 192.0.2.198")(t)),
      );
    const text = edit(readFileSync(join(ROOT, FILE), "utf8"));
    const { diagnostics } = await loadExample({ [FILE]: text });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "authentication: { type: simple }"),
      message: /MD5/,
    });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "stub: true"),
      message: /stub areas/,
    });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "update_source: 192.0.2.198"),
      message: /update source is an interface/,
    });
  });

  it("refuses an alias description OPNsense's alias model refuses", async () => {
    const text = replaceOnce(
      "description: terminal servers",
      "description: 'terminal servers <RDP>'",
    )(readFileSync(join(ROOT, FILE), "utf8"));
    const { diagnostics } = await loadExample({ [FILE]: text });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "terminal servers <RDP>"),
      message: /alias description/,
    });
  });

  it("refuses raw values that would write a secret or a modeled section", async () => {
    const raw =
      "raw:\n  opnsense:\n    - { path: system/user/password, value: x }\n    - { path: OPNsense/quagga/ospf/enabled, value: '0' }\n    - { path: system/timezone, value: '@device-secret:0@' }\n";
    const text = `${readFileSync(join(ROOT, FILE), "utf8")}${raw}`;
    const { diagnostics } = await loadExample({ [FILE]: text });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "system/user/password"),
      message: /secret element/,
    });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "OPNsense/quagga/ospf/enabled"),
      message: /managed through the model/,
    });
    expectDiagnostic(diagnostics, {
      file: FILE,
      line: lineContaining(text, "@device-secret:0@"),
      message: /secret token/,
    });
  });
});
