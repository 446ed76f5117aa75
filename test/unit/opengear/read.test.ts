// The read: the export parsed into entities (per stanza, whatever their order), the model the
// driver maps, unmanaged entities kept whole, and secrets never read back in clear: the box's awk
// (run here in dash) and this side's redaction agree, and no secret of the fixture survives.
import { describe, expect, it } from "vitest";
import { entitiesOf, liveFromEntities } from "../../../reconciler/drivers/opengear/live-state.ts";
import {
  OgcliFormatError,
  parseExport,
  parseGet,
} from "../../../reconciler/drivers/opengear/ogcli-format.ts";
import { liveStateFromArtifacts, parseWgPublicKeys } from "../../../reconciler/drivers/opengear/read.ts";
import { EXPORT_ARTIFACT } from "../../../reconciler/drivers/opengear/read-script.ts";
import { REDACT_EXPORT_AWK, redactExport } from "../../../reconciler/drivers/opengear/redact.ts";
import { dash } from "../kit/dash.ts";
import { fixture } from "./helpers.ts";

const SECRETS = [
  "Sup3r-s3cret-auth",
  "Sup3r-s3cret-priv",
  "public-ro-string",
  "hashedroothashedroot",
  "hashednetopshashed",
  "enrol-token-value",
];

describe("ogcli formats", () => {
  it("reads `ogcli get` lines: quoted strings, bare booleans and arrays", () => {
    const f = parseGet('description=""\nenabled=true\nphysifs=[]\nplatform="a \\"b\\""\n');
    expect(f).toEqual([
      { key: "description", value: { s: "" } },
      { key: "enabled", value: { bare: "true" } },
      { key: "physifs", value: { bare: "[]" } },
      { key: "platform", value: { s: 'a "b"' } },
    ]);
  });

  it("reads every stanza of an export, ids from the command line", () => {
    const stanzas = parseExport(fixture("export-oob.txt"));
    expect(stanzas.map((s) => `${s.verb} ${s.path}${s.id ? ` ${s.id}` : ""}`)).toContain(
      "update port ports-2",
    );
    expect(stanzas).toHaveLength(13);
  });

  it("refuses a cut export rather than reading a short store", () => {
    expect(() => parseExport('ogcli update port "ports-1" << \'END\'\nlabel="x"\n')).toThrow(
      OgcliFormatError,
    );
  });

  it("keys entities by what names them, so stanza order means nothing", () => {
    const text = fixture("export-oob.txt");
    const blocks = text.split(/\n(?=ogcli )/);
    const shuffled = [blocks[0], ...blocks.slice(1).reverse()].join("\n");
    const a = liveFromEntities(entitiesOf(parseExport(text))).state;
    const b = liveFromEntities(entitiesOf(parseExport(`${shuffled}\n`))).state;
    expect(b).toEqual(a);
  });
});

describe("lists exported whole", () => {
  it("`ogcli replace ports` with indexed items reads as the same entities as per-item stanzas", () => {
    const perItem = [
      `ogcli update port "ports-1" << 'END'`,
      'baudrate="9600"\ndatabits="8"\nlabel="core-1"\nmode="consoleServer"\nparity="none"\nstopbits="1"',
      "END",
      `ogcli update port "ports-2" << 'END'`,
      'baudrate="9600"\nlabel="Port-2"\nmode="consoleServer"',
      "END",
      'ogcli create user << \'END\'\nusername="netops"\ngroups[0]="admin"\nEND',
      "",
    ].join("\n");
    const whole = [
      "ogcli replace ports << 'END'",
      'ports[0].baudrate="9600"\nports[0].databits="8"\nports[0].id="ports-1"\nports[0].label="core-1"',
      'ports[0].mode="consoleServer"\nports[0].parity="none"\nports[0].stopbits="1"',
      'ports[1].baudrate="9600"\nports[1].id="ports-2"\nports[1].label="Port-2"\nports[1].mode="consoleServer"',
      "END",
      "",
      'ogcli replace users << \'END\'\nusers[0].groups[0]="admin"\nusers[0].id="users-2"\nusers[0].username="netops"\nEND',
      "",
    ].join("\n");
    const a = liveFromEntities(entitiesOf(parseExport(perItem)));
    const b = liveFromEntities(entitiesOf(parseExport(whole)));
    expect(b.state).toEqual(a.state);
    expect(b.entities.get("user netops")?.id).toBe("users-2");
    expect(b.entities.get("port ports-1")?.id).toBe("ports-1");
  });
});

describe("the live model", () => {
  const live = liveFromEntities(entitiesOf(parseExport(redactExport(fixture("export-oob.txt")))));

  it("maps labelled ports, leaves factory-labelled ones out, keeps a local console unmanaged", () => {
    expect(live.state.serial_ports).toEqual([
      {
        port: 1,
        label: "core-1",
        baud: 9600,
        data_bits: 8,
        parity: "none",
        stop_bits: 1,
        mode: "console_server",
      },
      {
        port: 4,
        label: "old-switch",
        baud: 9600,
        data_bits: 8,
        parity: "none",
        stop_bits: 1,
        mode: "console_server",
      },
    ]);
    expect(live.unmanaged.map((u) => u.key)).toContain("port ports-3");
  });

  it("maps SNMP (one v3 user, secrets as 'one is set'), users and a disabled failover", () => {
    expect(live.state.snmp).toEqual({
      enabled: true,
      location: "POP 1, rack 2",
      contact: "noc@example.net",
      v3_users: [
        {
          name: "nms",
          auth_protocol: "SHA",
          auth_password_env: "SECRET_SET",
          privacy_protocol: "AES",
          privacy_password_env: "SECRET_SET",
        },
      ],
    });
    expect(live.state.users?.map((u) => [u.name, u.groups, u.password_hash_env])).toEqual([
      ["netops", ["netgrp"], "SECRET_SET"],
      ["root", ["admin"], "SECRET_SET"],
    ]);
    expect(live.state.cellular_failover).toBeUndefined();
  });

  it("keeps what the model has no section for as unmanaged entities, whole", () => {
    expect(live.unmanaged.map((u) => u.key).sort()).toEqual([
      "conn",
      "lighthouse_enrollment 192.0.2.10",
      "port ports-3",
      "services/ssh",
      "system/hostname",
    ]);
  });
});

describe("secrets", () => {
  it("the box's awk (dash) and this side redact the same way, and nothing secret remains", () => {
    const text = fixture("export-oob.txt");
    const r = dash(`redact_export() { ${REDACT_EXPORT_AWK}; }\nredact_export <<'XEOF'\n${text}XEOF\n`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(redactExport(text));
    for (const s of SECRETS) expect(r.stdout).not.toContain(s);
  });

  it("a live state carries no secret, even from a box that did not redact", () => {
    const live = liveStateFromArtifacts("oob-1", {
      [EXPORT_ARTIFACT]: redactExport(fixture("export-oob.txt")),
    });
    const all = JSON.stringify({ ...live, opengear: undefined });
    for (const s of SECRETS) expect(all).not.toContain(s);
  });

  it("an empty secret stays empty on both sides (it says none is set)", () => {
    const text = 'rwcommunity=""\nauth_password="x"\npeers[0].preshared_key=[]\n';
    const r = dash(`redact_export() { ${REDACT_EXPORT_AWK}; }\nredact_export <<'XEOF'\n${text}XEOF\n`);
    expect(r.stdout).toBe('rwcommunity=""\nauth_password="@redacted@"\npeers[0].preshared_key=[]\n');
    expect(redactExport(text)).toBe(r.stdout);
  });

  it("an inline secret on a command line is dropped whole", () => {
    expect(redactExport(`ogcli update auth 'tacacsPassword="x1"'`)).not.toContain("x1");
  });

  it("reads WireGuard public keys, never anything else of wg", () => {
    expect(parseWgPublicKeys("wg-mgmt\tiGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=\njunk\n")).toEqual({
      "wg-mgmt": "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=",
    });
  });
});
