// configctl: the real action names accepted, anything else refused with configd's own reply, and
// the template actions writing the rendered files. (The service actions drive wireguard-go and
// FRR: test/lab/opnsense-sim.test.ts.)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fillParameters, findAction, NOT_FOUND } from "../../sim/opnsense/actions.ts";
import { configctl, parseArgs } from "../../sim/opnsense/configctl.ts";
import { configureFw1 } from "../../sim/opnsense/example.ts";
import { parseXml, serializeXml } from "../../sim/opnsense/xml.ts";
import { fixtureText, KEYS, type TmpBox, tmpBox } from "./helpers.ts";

let box: TmpBox;
beforeEach(() => {
  box = tmpBox();
});
afterEach(() => box.cleanup());

describe("configd's action lookup", () => {
  it("finds topic + section, dotted sections by their words, the rest as parameters", () => {
    expect(findAction(["template", "reload", "OPNsense/Wireguard"])?.params).toEqual(["OPNsense/Wireguard"]);
    expect(findAction(["quagga", "diagnostics", "ospf_neighbor"])?.name).toBe(
      "quagga diagnostics.ospf_neighbor",
    );
    expect(findAction(["wireguard", "configure"])?.def.parameters).toBe("-a configure %s");
    expect(findAction(["quagga", "reload"])?.def.type).toBe("script");
    expect(findAction(["quagga"])).toBeUndefined();
    expect(findAction(["wireguard", "reconfigure"])).toBeUndefined();
    expect(findAction(["template reload OPNsense/Wireguard"])).toBeUndefined();
  });

  it("pads missing parameters and refuses extra ones (base.py _cmd_builder)", () => {
    const configure = findAction(["wireguard", "configure"]);
    if (!configure) throw new Error("no wireguard configure");
    expect(fillParameters(configure.def, [])).toEqual([""]);
    expect(fillParameters(configure.def, ["a", "b"])).toBe("Parameter mismatch");
  });
});

describe("configctl", () => {
  it("refuses an unknown action with configd's reply and exits 0, as the real one does", () => {
    for (const argv of [["wireguard", "reconfigure"], ["frr", "reload"], ["nonsense"]]) {
      expect(configctl(argv, box.paths)).toEqual({ stdout: `${NOT_FOUND}\n`, stderr: "", code: 0 });
    }
    expect(NOT_FOUND).toBe("Action not allowed or missing");
  });

  it("replies Parameter mismatch to too many parameters", () => {
    expect(configctl(["wireguard", "configure", "a", "b"], box.paths).stdout).toBe("Parameter mismatch\n");
  });

  it("parses its options; -q mutes the reply; no command lists the actions", () => {
    expect(parseArgs(["-q", "template", "reload", "X"])).toEqual({
      quiet: true,
      words: ["template", "reload", "X"],
    });
    expect(parseArgs(["-x"])).toBe("configctl: error: unrecognized arguments: -x");
    expect(configctl(["-q", "bogus"], box.paths).stdout).toBe("");
    const list = configctl([], box.paths).stdout;
    expect(list).toContain("wireguard configure [  ]");
    expect(list).toContain("quagga reload [ Reload FRR ]");
  });

  it("template reload renders the module's files; an unknown module, or no file, is ERR", () => {
    expect(configctl(["template", "reload", "OPNsense/Wireguard"], box.paths).stdout).toBe("ERR\n");
    const root = parseXml(fixtureText());
    configureFw1(root, KEYS);
    writeFileSync(box.paths.config, serializeXml(root));
    expect(configctl(["template", "reload", "OPNsense/Wireguard"], box.paths).stdout).toBe("OK\n");
    expect(readFileSync(`${box.paths.wgDir}/wg0.conf`, "utf8")).toContain("Endpoint = 198.51.100.70:51820");
    expect(configctl(["template", "reload", "OPNsense/Quagga"], box.paths).stdout).toBe("OK\n");
    expect(readFileSync(box.paths.frrConf, "utf8")).toContain(" network 203.0.113.6/31 area 0.0.0.0");
    expect(configctl(["template", "reload", "OPNsense/Nothing"], box.paths).stdout).toBe("ERR\n");
    expect(existsSync(box.paths.debianFrrConf)).toBe(false); // rendering applies nothing
  });

  it("a config that does not parse makes template reload an execute error", () => {
    writeFileSync(box.paths.config, "<opnsense>");
    expect(configctl(["template", "reload", "OPNsense/Quagga"], box.paths).stdout).toBe("Execute error\n");
  });
});
