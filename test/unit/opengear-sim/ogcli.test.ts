// ogcli's verbs, output and errors on a factory-fresh box.
import { describe, expect, it } from "vitest";
import { box, journalOf, ok } from "./helpers.ts";

describe("ogcli get", () => {
  it("a serial port: id ports-N, label Port-N, camelCase mode, serial settings as strings", () => {
    const out = ok(box().run(["get", "port", "ports-1"]));
    for (const l of [
      'id="ports-1"',
      'label="Port-1"',
      'mode="consoleServer"',
      'baudrate="9600"',
      'databits="8"',
      'stopbits="1"',
      'parity="none"',
      'pinout="X2"',
      "kernel_debug=false",
      "ip_alias=[]",
    ])
      expect(out.split("\n")).toContain(l);
  });

  it("a list, indexed by position", () => {
    const out = ok(box().run(["get", "ports"]));
    expect(out).toContain('ports[0].id="ports-1"\n');
    expect(out).toContain('ports[15].label="Port-16"\n');
  });

  it("singletons without a prefix; failover/status a separate view", () => {
    const b = box();
    expect(ok(b.run(["get", "system/hostname"]))).toBe('hostname="oob-1"\n');
    expect(ok(b.run(["get", "failover/status"]))).toBe('status="disabled"\n');
    ok(
      b.run(
        ["update", "failover/settings"],
        'enabled=true\nprobe_address="203.0.113.53"\nprobe_physif="net1"\n',
      ),
    );
    expect(ok(b.run(["get", "failover/settings"]))).toBe(
      'enabled=true\nfailover_physif="wwan0"\nprobe_address="203.0.113.53"\nprobe_address_2=""\nprobe_physif="net1"\n',
    );
    expect(ok(b.run(["get", "failover/status"]))).toBe('status="primary_complete"\n');
    b.faults({ failover_status: "failover_complete" });
    expect(ok(b.run(["get", "failover/status"]))).toBe('status="failover_complete"\n');
  });

  it("system/admin_info: contact and location; its hostname is the box's", () => {
    const b = box();
    ok(b.run(["update", "system/admin_info", 'contact="noc@example.net"']));
    ok(b.run(["update", "system/admin_info", 'location="POP 1, rack 3"']));
    expect(ok(b.run(["get", "system/admin_info"]))).toBe(
      'contact="noc@example.net"\nhostname="oob-1"\nlocation="POP 1, rack 3"\n',
    );
    ok(b.run(["update", "system/hostname", 'hostname="oob-9"']));
    expect(ok(b.run(["get", "system/admin_info"]))).toContain('hostname="oob-9"');
    ok(b.run(["update", "system/admin_info", 'hostname="oob-1"']));
    expect(ok(b.run(["get", "system/hostname"]))).toBe('hostname="oob-1"\n');
  });

  it("errors: unknown entity, unknown item, missing id, exit 1 on stderr", () => {
    const b = box();
    expect(b.run(["get", "nothing"])).toEqual({
      stdout: "",
      stderr: "Error: Unknown entity 'nothing'\n",
      code: 1,
    });
    expect(b.run(["get", "port", "ports-99"]).stderr).toBe("Error: No port found with id 'ports-99'\n");
    expect(b.run(["get", "port"]).stderr).toBe("Error: An id is required for entity 'port'\n");
    expect(b.run(["frobnicate", "ports"]).stderr).toBe("Error: Unknown operation 'frobnicate'\n");
  });
});

describe("ogcli writes", () => {
  it("update a port from arguments and from a here-document", () => {
    const b = box();
    ok(b.run(["update", "port", "ports-1", 'label="core-1"', 'baudrate="115200"']));
    ok(b.run(["update", "port", "ports-2"], '  label="router-a"\n  stopbits="2"\n'));
    const out = ok(b.run(["get", "ports"]));
    expect(out).toContain('ports[0].label="core-1"');
    expect(out).toContain('ports[0].baudrate="115200"');
    expect(out).toContain('ports[1].stopbits="2"');
    expect(out).toContain('ports[1].baudrate="9600"');
  });

  it("refuses unknown fields, bad values and read-only views, changing nothing", () => {
    const b = box();
    const before = JSON.stringify(b.store);
    expect(b.run(["update", "port", "ports-1", 'speed="9600"']).stderr).toBe(
      "Error: Invalid parameter 'speed' was provided\n",
    );
    expect(b.run(["update", "port", "ports-1", 'baudrate="9601"']).stderr).toBe(
      "Error: Invalid value '9601' for field 'baudrate'\n",
    );
    expect(b.run(["update", "port", "ports-1", "baudrate=9600"]).stderr).toBe(
      "Error: Invalid value '9600' for field 'baudrate'\n",
    );
    expect(b.run(["update", "port", "ports-1", 'mode="console_server"']).code).toBe(1);
    expect(b.run(["update", "failover/status", 'status="disabled"']).stderr).toBe(
      "Error: Permission denied: 'failover/status' is read-only\n",
    );
    expect(b.run(["update", "failover/settings", "enabled=true"]).stderr).toBe(
      "Error: Required field 'probe_address' was not provided in the request\n",
    );
    expect(b.run(["create", "port"], 'label="x"\n').stderr).toBe(
      "Error: Operation 'create' is not supported for 'port'\n",
    );
    expect(JSON.stringify(b.store)).toBe(before);
  });

  it("users and groups: create with ids users-N, groups by name, delete by name", () => {
    const b = box();
    ok(
      b.run(
        ["create", "user"],
        'username="netops"\ndescription="network operations"\ngroups[0]="admin"\npassword="s3cret-pw"\nenabled=true\n',
      ),
    );
    const user = ok(b.run(["get", "user", "netops"]));
    expect(user).toContain('id="users-2"');
    expect(user).toContain('groups[0]="admin"');
    expect(user).toContain('hashed_password="********"');
    expect(user).not.toContain("s3cret-pw");
    expect(b.run(["create", "user"], 'username="bad"\ngroups[0]="nogroup"\n').stderr).toBe(
      "Error: Invalid value 'nogroup' for field 'groups'\n",
    );
    expect(b.run(["create", "user"], 'username="netops"\n').stderr).toBe(
      "Error: 'netops' is already in use for field 'username'\n",
    );
    ok(b.run(["create", "group"], 'groupname="oob"\nrole="ConsoleUser"\nports[0]="ports-1"\n'));
    ok(b.run(["update", "user", "netops", 'groups[0]="oob"']));
    expect(ok(b.run(["get", "user", "users-2"]))).toContain('groups[0]="oob"');
    ok(b.run(["delete", "user", "netops"]));
    expect(b.run(["get", "user", "netops"]).code).toBe(1);
    // ids are not reused
    ok(b.run(["create", "user"], 'username="other"\n'));
    expect(ok(b.run(["get", "user", "other"]))).toContain('id="users-3"');
  });

  it("SNMP: v3 secrets accepted, never printed in clear", () => {
    const b = box();
    ok(
      b.run(
        ["update", "services/snmpd"],
        'enabled=true\nsecurity_name="nms"\nsecurity_level="authPriv"\nauth_protocol="SHA-256"\nauth_password="auth-secret-1"\npriv_protocol="AES"\npriv_password="priv-secret-1"\n',
      ),
    );
    const out = ok(b.run(["get", "services/snmpd"]));
    expect(out).toContain('auth_password="********"');
    expect(out).not.toContain("secret-1");
    expect(b.run(["update", "services/snmpd", 'auth_protocol="SHA-999"']).code).toBe(1);
    expect(b.run(["update", "services/snmpd", 'auth_password="short"']).code).toBe(1);
    // a masked value sent back keeps the secret
    ok(b.run(["update", "services/snmpd", 'auth_password="********"']));
    expect((b.store.data.snmpd as { auth_password: string }).auth_password).toBe("auth-secret-1");
  });

  it("replace resets what it does not give; merge adds and updates list items", () => {
    const b = box();
    ok(b.run(["update", "port", "ports-3", 'label="x"', 'baudrate="19200"']));
    ok(b.run(["replace", "port", "ports-3", 'label="y"']));
    const p = ok(b.run(["get", "port", "ports-3"]));
    expect(p).toContain('label="y"');
    expect(p).toContain('baudrate="9600"');
    ok(
      b.run(
        ["merge", "groups"],
        'groups[0].groupname="admin"\ngroups[0].description="admins"\ngroups[1].groupname="new"\n',
      ),
    );
    const g = ok(b.run(["get", "groups"]));
    expect(g).toContain('groups[0].description="admins"');
    expect(g).toContain('groups[2].groupname="new"');
    expect(g).toContain('groups[1].groupname="netgrp"');
  });

  it("the management VPN: a key generated on the box, its public key shown, the private key never", () => {
    const b = box();
    ok(
      b.run(
        ["create", "wireguard"],
        'name="wg-mgmt"\naddresses[0]="198.51.100.113/28"\npeers[0].public_key="iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg="\npeers[0].endpoint_address="198.51.100.133"\npeers[0].endpoint_port=51820\npeers[0].allowed_ips[0]="198.51.100.112/28"\npeers[0].persistent_keepalive=25\n',
      ),
    );
    const out = ok(b.run(["get", "wireguard", "wg-mgmt"]));
    expect(out).toMatch(/^public_key="[A-Za-z0-9+/]{43}="$/m);
    expect(out).toContain('private_key="********"');
    expect(out).toContain('peers[0].allowed_ips[0]="198.51.100.112/28"');
    expect(b.run(["create", "wireguard"], 'name="wg1"\naddresses[0]="not-an-address"\n').code).toBe(1);
  });

  it("faults: a delay makes the box slow and then goes on", () => {
    const b = box();
    b.faults({ rules: [{ verb: "get", delay_ms: 300, times: 1 }] });
    const t0 = Date.now();
    expect(ok(b.run(["get", "system/hostname"]))).toBe('hostname="oob-1"\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("faults: a rule makes an operation fail, `times` runs out; every call is journalled", () => {
    const b = box();
    b.faults({ rules: [{ verb: "update", path: "port", message: "Error: Internal error", times: 1 }] });
    expect(b.run(["update", "port", "ports-1", 'label="a"']).stderr).toBe("Error: Internal error\n");
    ok(b.run(["update", "port", "ports-1", 'label="a"']));
    expect(journalOf(b)).toMatchObject([
      { argv: ["update", "port", "ports-1", 'label="a"'] },
      { argv: ["update", "port", "ports-1", 'label="a"'] },
    ]);
  });
});
