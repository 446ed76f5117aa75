// The legacy `config` dialect over the same store.
import { describe, expect, it } from "vitest";
import { legacyConfig } from "../../sim/opengear/legacy.ts";
import { factoryStore } from "../../sim/opengear/store.ts";

describe("config (legacy dialect)", () => {
  it("-g prints `key value` lines for a key and everything under it", () => {
    const s = factoryStore("oob-2", 2);
    const r = legacyConfig(["-g", "config.ports.port1"], s);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "config.ports.port1.label Port-1",
        "config.ports.port1.mode portmanager",
        "config.ports.port1.speed 9600",
        "config.ports.port1.charsize 8",
        "config.ports.port1.parity None",
        "config.ports.port1.stop 1",
        "config.ports.port1.flowcontrol None",
      ]),
    );
    expect(r.stdout).not.toContain("port2");
    expect(legacyConfig(["-g", "config.system.name"], s).stdout).toBe("config.system.name oob-2\n");
  });

  it("-s writes the shared model where the key maps, else its own map; -a / -r apply", () => {
    const s = factoryStore("oob-2", 2);
    const r = legacyConfig(
      [
        "-s",
        "config.ports.port2.speed=115200",
        "-s",
        "config.ports.port2.parity=Even",
        "-s",
        "config.system.snmp.enabled=on",
      ],
      s,
    );
    expect(r.code).toBe(0);
    const port2 = (r.store.data.ports as { baudrate: string; parity: string }[])[1];
    expect(port2).toMatchObject({ baudrate: "115200", parity: "even" });
    expect(r.store.legacy).toEqual({ keys: { "config.system.snmp.enabled": "on" }, unapplied: true });
    expect(legacyConfig(["-r", "serialconfig"], r.store).store.legacy.unapplied).toBe(false);
    expect(legacyConfig(["-g", "config.system.snmp"], r.store).stdout).toBe(
      "config.system.snmp.enabled on\n",
    );
  });

  it("refuses a bad value and leaves the store as it was", () => {
    const s = factoryStore("oob-2", 2);
    const r = legacyConfig(["-s", "config.ports.port1.speed=12345"], s);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Invalid value for config.ports.port1.speed\n");
    expect(r.store).toBe(s);
  });
});
