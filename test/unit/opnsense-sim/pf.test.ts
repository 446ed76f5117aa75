// The simulated pf's presentation: what `filter reload` loads from config.xml (aliases as tables,
// legacy rules on their interfaces' devices, an IPv4+IPv6 rule once per family, disabled rules
// left out) and pfctl's two reads in FreeBSD's format.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRules, pfctl, saveLoaded } from "../../sim/opnsense/pf.ts";
import { parseXml } from "../../sim/opnsense/xml.ts";

const CONFIG = `<?xml version="1.0"?>
<opnsense>
  <interfaces>
    <opt2><if>wg1</if></opt2>
  </interfaces>
  <filter>
    <rule uuid="11111111-1111-4111-8111-111111111111">
      <type>pass</type>
      <ipprotocol>inet</ipprotocol>
      <descr>workers to RDP</descr>
      <interface>opt2</interface>
      <direction>in</direction>
      <protocol>tcp</protocol>
      <source><address>workers</address></source>
      <destination><address>192.0.2.225</address><port>3389</port></destination>
    </rule>
    <rule uuid="22222222-2222-4222-8222-222222222222">
      <type>block</type>
      <ipprotocol>inet46</ipprotocol>
      <descr>nothing else</descr>
      <interface>opt2</interface>
      <source><address>workers</address></source>
      <destination><any/></destination>
      <log>1</log>
    </rule>
    <rule uuid="33333333-3333-4333-8333-333333333333">
      <type>pass</type>
      <descr>off</descr>
      <interface>opt2</interface>
      <disabled>1</disabled>
      <source><any/></source>
      <destination><any/></destination>
    </rule>
  </filter>
  <OPNsense>
    <Firewall><Alias><aliases>
      <alias uuid="44444444-4444-4444-8444-444444444444">
        <enabled>1</enabled><name>workers</name><type>network</type><content>203.0.113.128/26</content>
      </alias>
    </aliases></Alias></Firewall>
  </OPNsense>
</opnsense>
`;

describe("the simulated pf", () => {
  it("loads the aliases as tables and the enabled rules on their devices", () => {
    const loaded = loadRules(parseXml(CONFIG));
    expect(loaded.tables).toEqual({ workers: ["203.0.113.128/26"] });
    expect(loaded.rules).toEqual([
      "pass in quick on wg1 inet proto tcp from <workers> to 192.0.2.225 port = 3389 keep state",
      "block drop in log quick on wg1 inet from <workers> to any",
      "block drop in log quick on wg1 inet6 from <workers> to any",
    ]);
  });

  it("answers pfctl -sr and -t NAME -T show, and refuses a table it does not have", () => {
    const state = join(mkdtempSync(join(tmpdir(), "opnsense-pf-")), "pf.json");
    expect(pfctl(["-sr"], state)).toEqual({ stdout: "", stderr: "", code: 0 });
    saveLoaded(state, loadRules(parseXml(CONFIG)));
    expect(pfctl(["-sr"], state).stdout.split("\n")).toHaveLength(4);
    expect(pfctl(["-t", "workers", "-T", "show"], state).stdout).toBe("   203.0.113.128/26\n");
    expect(pfctl(["-t", "nope", "-T", "show"], state)).toMatchObject({
      code: 1,
      stderr: "pfctl: Table does not exist.\n",
    });
  });
});
