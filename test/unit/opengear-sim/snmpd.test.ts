// The simulated Opengear's SNMP agent configuration (test/sim/opengear/snmpd.ts): what net-snmp
// is given for the stored services/snmpd and system/admin_info.
import { describe, expect, it } from "vitest";
import { snmpdFiles } from "../../sim/opengear/snmpd.ts";
import { factoryStore } from "../../sim/opengear/store.ts";
import type { Obj } from "../../sim/opengear/values.ts";

function store(snmpd: Obj, info: Obj = {}) {
  const s = factoryStore("oob-1", 2);
  Object.assign(s.data.snmpd as Obj, snmpd);
  Object.assign(s.data.admin_info as Obj, info);
  return s;
}
const V3 = {
  enabled: true,
  security_name: "nms",
  security_level: "authPriv",
  auth_protocol: "SHA-256",
  auth_password: "auth-secret-1",
  priv_protocol: "AES",
  priv_password: "priv-secret-1",
};

describe("snmpdFiles", () => {
  it("is nothing when SNMP is off (the agent is stopped)", () => {
    expect(snmpdFiles(store({ enabled: false }))).toBeUndefined();
  });

  it("a v3 user with authentication and privacy, the location and contact", () => {
    const f = snmpdFiles(store(V3, { location: "POP 1, rack 3", contact: "noc@example.net" }));
    expect(f?.conf.split("\n").slice(1)).toEqual([
      "agentAddress udp:161",
      "sysLocation POP 1, rack 3",
      "sysContact noc@example.net",
      "rouser nms priv",
      "",
    ]);
    expect(f?.persistent).toBe('createUser nms SHA-256 "auth-secret-1" AES "priv-secret-1"\n');
  });

  it("the level decides what the user needs; a legacy community only with legacy versions on", () => {
    const auth = snmpdFiles(store({ ...V3, security_level: "authNoPriv" }));
    expect(auth?.persistent).toBe('createUser nms SHA-256 "auth-secret-1"\n');
    expect(auth?.conf).toContain("rouser nms auth\n");
    expect(snmpdFiles(store({ ...V3, rocommunity: "monitor" }))?.conf).not.toContain("rocommunity");
    expect(
      snmpdFiles(store({ ...V3, rocommunity: "monitor", enable_legacy_versions: true }))?.conf,
    ).toContain("rocommunity monitor\n");
  });

  it("never writes a value that would break out of its quotes or its line", () => {
    const f = snmpdFiles(
      store({ ...V3, auth_password: 'x"\nrwcommunity evil' }, { location: "a\nrocommunity x" }),
    );
    expect(f?.conf).not.toContain("rocommunity");
    expect(f?.persistent).toBe("createUser nms\n");
  });
});
