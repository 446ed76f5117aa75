// The candidate: the fewest ogcli commands, one per entity that differs with only the fields that
// differ, in dependency order; applied (replayed onto the store) it leaves nothing to do, and the
// model compares equal through normalize; secrets only as placeholders in the plan, filled at
// stage only for declared variables.
import { describe, expect, it } from "vitest";
import { fillEnvSecrets } from "../../../reconciler/drivers/opengear/apply/secrets.ts";
import { entitiesOf, liveFromEntities } from "../../../reconciler/drivers/opengear/live-state.ts";
import { normalizeOpengear } from "../../../reconciler/drivers/opengear/normalize.ts";
import { parseExport } from "../../../reconciler/drivers/opengear/ogcli-format.ts";
import { planCommands, securityLevel } from "../../../reconciler/drivers/opengear/plan-commands.ts";
import { redactExport } from "../../../reconciler/drivers/opengear/redact.ts";
import { fixture, oob1, replay } from "./helpers.ts";

const live = () => liveFromEntities(entitiesOf(parseExport(redactExport(fixture("export-oob.txt")))));

describe("planCommands on oob-1", () => {
  const commands = planCommands(oob1(), live());

  it("touches only what differs, in dependency order, the failover last", () => {
    expect(commands.map((c) => c.line.split("\n")[0])).toEqual([
      "ogcli update system/admin_info << 'END'",
      `ogcli update user "netops" << 'END'`,
      `ogcli update port "ports-2" << 'END'`,
      `ogcli update port "ports-4" << 'END'`,
      "ogcli update services/snmpd << 'END'",
      "ogcli create wireguard << 'END'",
      "ogcli update failover/settings << 'END'",
    ]);
  });

  it("carries only the changed fields of an entity", () => {
    expect(commands[0]?.line).toBe(
      "ogcli update system/admin_info << 'END'\nlocation=\"POP 1, rack 3\"\nEND",
    );
    expect(commands[2]?.line).toBe(
      `ogcli update port "ports-2" << 'END'\nlabel="router-a"\nbaudrate="9600"\nEND`,
    );
    // A port git no longer describes gets its factory label back, nothing else.
    expect(commands[3]?.line).toBe(`ogcli update port "ports-4" << 'END'\nlabel="Port-4"\nEND`);
    expect(commands[6]?.line).toBe(
      `ogcli update failover/settings << 'END'\nenabled=true\nprobe_address="203.0.113.53"\nEND`,
    );
  });

  it("every command says what it does for the operator", () => {
    for (const c of commands) expect(c.description.length).toBeGreaterThan(10);
    expect(commands[2]?.description).toContain("console of router-a");
  });

  it("secrets are placeholders; the WireGuard key a token the box fills", () => {
    const snmp = commands[4]?.line ?? "";
    expect(snmp).toContain('auth_protocol="SHA-256"');
    expect(snmp).toContain('auth_password="@secret:OOB_SNMP_AUTH@"');
    expect(snmp).toContain('priv_password="@secret:OOB_SNMP_PRIV@"');
    expect(commands[5]?.line).toContain('private_key="@device-key:wg-mgmt@"');
    expect(commands[5]?.line).toContain(
      'peers[0].endpoint_address="198.51.100.129"\npeers[0].endpoint_port=51820',
    );
  });

  it("applied, it leaves nothing to do, and both sides normalize equal", () => {
    const after = liveFromEntities(replay(live().entities, commands));
    expect(planCommands(oob1(), after)).toEqual([]);
    // root is the box's own user: a shared collection's foreign item, reported as unmanaged.
    const users = after.state.users?.filter((u) => u.name !== "root");
    expect(normalizeOpengear({ ...after.state, ...(users ? { users } : {}) })).toEqual(
      normalizeOpengear(oob1()),
    );
  });

  it("the SNMP security level in the box's own words", () => {
    const l = live();
    const e = l.entities.get("services/snmpd");
    if (!e) throw new Error("no snmpd");
    expect(securityLevel(e)).toBe("priv");
    e.fields.set("security_level", { s: "noAuthNoPriv" });
    expect(securityLevel(e)).toBe("authPriv");
  });

  it("is deterministic", () => {
    expect(planCommands(oob1(), live())).toEqual(commands);
  });

  it("a tunnel the box created with its defaults (port 0, MTU 1420) matches git's tunnel without them", () => {
    const tunnel = { name: "wg-mgmt", addresses: ["198.51.100.113/28"], peers: [] };
    const n = (w: Record<string, unknown>) => normalizeOpengear({ wireguard: [{ ...tunnel, ...w }] });
    expect(n({ listen_port: 0, mtu: 1420 })).toEqual(n({}));
    expect(n({ listen_port: 51820 })).not.toEqual(n({}));
    expect(n({ mtu: 1380 })).not.toEqual(n({}));
  });

  it("refuses a port the box does not have", () => {
    const intent = oob1();
    intent.serial_ports?.push({ port: 48, label: "x", baud: 9600 });
    expect(() => planCommands(intent, live())).toThrow(/serial port 48/);
  });
});

describe("secrets at stage", () => {
  const commands = planCommands(oob1(), live());

  it("fills declared variables, escaped as ogcli strings, and returns them for redaction", () => {
    const r = fillEnvSecrets(commands, oob1(), { OOB_SNMP_AUTH: 'a"b\\c', OOB_SNMP_PRIV: "privpriv" });
    if ("missing" in r) throw new Error(r.missing);
    expect(r.commands[4]?.line).toContain('auth_password="a\\"b\\\\c"');
    expect(r.secrets).toEqual(['a"b\\c', "privpriv"]);
  });

  it("refuses a variable the desired state does not declare, or one not set", () => {
    const forged = [
      { line: `ogcli update services/snmpd << 'END'\nauth_password="@secret:HOME@"\nEND`, description: "x" },
    ];
    expect(fillEnvSecrets(forged, oob1(), { HOME: "/root" })).toEqual({
      missing: "@secret:HOME@ names a variable the desired state does not declare",
    });
    expect(fillEnvSecrets(commands, oob1(), { OOB_SNMP_AUTH: "x" })).toEqual({
      missing: "the secret OOB_SNMP_PRIV is not set in the environment",
    });
  });

  it("a shell word is shell-quoted (tailscale up)", () => {
    const intent = { management_vpn: { type: "tailscale" as const, auth_key_env: "TS_KEY" } };
    const cmds = planCommands(intent, liveFromEntities(new Map()));
    expect(cmds.map((c) => c.line)).toEqual(["tailscale up --auth-key=@secret:TS_KEY@"]);
    const r = fillEnvSecrets(cmds, intent, { TS_KEY: "tskey-auth-x y" });
    if ("missing" in r) throw new Error(r.missing);
    expect(r.commands[0]?.line).toBe("tailscale up --auth-key='tskey-auth-x y'");
  });
});
