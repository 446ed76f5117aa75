// Reading a box: config.xml into the model, what is not the reconciler's reported and not drift,
// secrets tokenized on the device (the real script, run here with this machine's sh and awk) and
// again on this side, the fingerprint blind to <revision>, one round trip.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { opnsenseDriver } from "../../../reconciler/drivers/opnsense/driver.ts";
import { CONFIG_XML } from "../../../reconciler/drivers/opnsense/paths.ts";
import { readOpnsense } from "../../../reconciler/drivers/opnsense/read.ts";
import { REDACT_CONFIG_AWK } from "../../../reconciler/drivers/opnsense/read-script.ts";
import { redactConfig } from "../../../reconciler/drivers/opnsense/secrets.ts";
import type { PosixSession } from "../../../reconciler/transport/session.ts";
import { device, fixture, liveOf } from "./helpers.ts";

const SECRETS = [
  "SiteVpnPrivateKeyFixtureBBBBBBBBBBBBBBBBBB=",
  "BranchPresharedFixtureDDDDDDDDDDDDDDDDDDDDD=",
  "$2y$10$FIXTUREFIXTUREFIXTUREFIXTUREFIXTUREFIXTUREFIXTUREFIXTU",
];

/** A session that runs the script with this machine's sh, config.xml read from `path`. */
function localSession(path: string, calls: string[]): PosixSession {
  return {
    device: "fw-1",
    run: async () => {
      throw new Error("read must not run single commands");
    },
    sh: async (script) => {
      calls.push(script);
      const r = spawnSync("sh", ["-s"], { input: script.split(CONFIG_XML).join(path), encoding: "utf8" });
      // The sections name the file by the box's path.
      const stdout = r.stdout.split(path).join(CONFIG_XML);
      return { command: "sh -s", stdout, stderr: r.stderr, exitCode: r.status ?? 1 };
    },
  };
}

describe("reading an OPNsense box", () => {
  it("reads WireGuard instances, their peers and public keys; other items are unmanaged", () => {
    const live = liveOf(fixture("box.xml"));
    expect(live.state.wireguard).toEqual([
      { name: "wg5", listen_port: 51825, addresses: ["203.0.113.193/28"], table: "auto", peers: [] },
    ]);
    expect(live.publicKeys).toEqual({ wg5: "SiteVpnPublicKeyFixtureAAAAAAAAAAAAAAAAAAA=" });
    expect(live.state.ospf).toBeUndefined();
    expect(live.state.bgp).toBeUndefined();
    expect(live.state.firewall).toBeUndefined();
    expect(opnsenseDriver.owned(live)).toEqual(new Set());
    expect(opnsenseDriver.unmanaged?.(live, {}).map((u) => u.path)).toEqual([
      "firewall.aliases[noc_hosts]",
      "firewall.rules[Default allow LAN to any rule]",
      "firewall.rules[SSH from the NOC & the <jump> host]",
    ]);
  });

  it("gives each secret the box holds a variable name of its own on import", () => {
    const live = liveOf(fixture("box.xml"));
    const state = structuredClone(live.state);
    const peer = {
      public_key: "BranchPublicKeyFixtureCCCCCCCCCCCCCCCCCCCCC=",
      allowed_ips: ["203.0.113.194/32"],
      preshared_key_env: "SECRET_SET",
    };
    state.wireguard?.[0]?.peers.push(peer);
    const names: string[] = [];
    const namer = {
      name: (_c: string | undefined, _w: string, ...parts: (string | number)[]) => {
        const n = parts
          .join("_")
          .toUpperCase()
          .replace(/[^A-Z0-9_]/g, "_");
        names.push(n);
        return n;
      },
    };
    const out = opnsenseDriver.denormalize?.(state, { live, namer, device: "fw-1" });
    expect(out?.wireguard?.[0]?.peers[0]?.preshared_key_env).toBe("FW_1_WG5_PSK_BRANCHPU");
    expect(out?.wireguard?.[0]?.table).toBeUndefined();
    expect(names).toEqual(["FW_1_WG5_PSK_BRANCHPU"]);
  });

  it("tokenizes every secret element in document order, empty ones keeping their number", () => {
    const text =
      "<a><psk/><privkey>K1</privkey><x><psk></psk><password>p\nq</password></x><prv a='1'>P</prv></a>";
    expect(redactConfig(text)).toBe(
      "<a><psk/><privkey>@device-secret:1@</privkey><x><psk></psk><password>@device-secret:3@</password></x><prv a='1'>@device-secret:4@</prv></a>",
    );
    expect(redactConfig(redactConfig(text))).toBe(redactConfig(text));
    // Not a secret element: a name that merely begins like one.
    expect(redactConfig("<pskx>v</pskx>")).toBe("<pskx>v</pskx>");
  });

  it("reads in one round trip, with the secrets already tokenized by the device's awk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opnsense-read-"));
    const path = join(dir, "config.xml");
    const text = fixture("box.xml").replace(
      "<timezone>",
      '<prv>MULTI\nLINE\nKEY</prv>\n    <secret a="1">s</secret>\n    <timezone>',
    );
    writeFileSync(path, text);
    const calls: string[] = [];
    const live = await readOpnsense(localSession(path, calls), device);
    expect(calls).toHaveLength(1);
    const artifact = live.artifacts[CONFIG_XML] ?? "";
    // The device's awk and this side's redaction agree byte for byte.
    expect(artifact).toBe(redactConfig(text));
    for (const s of [...SECRETS, "MULTI", "KEY"]) expect(JSON.stringify(live)).not.toContain(s);
    expect(artifact).toContain("<privkey>@device-secret:");
    expect(artifact).toContain("<psk>@device-secret:");
    // A box without wg or vtysh is still read.
    expect(Object.keys(live.artifacts).sort()).toEqual(
      [CONFIG_XML, "cmd:wg show all dump", "vtysh:running-config"].sort(),
    );
  });

  it("tokenizes the same way with every awk at hand (FreeBSD's is the one-true-awk: original-awk here)", () => {
    const text = fixture("box.xml").replace(
      "<timezone>",
      "<prv>A\nB</prv><psk/><psk ></psk>\n    <timezone>",
    );
    const awks = ["awk", "original-awk", "busybox awk"].filter(
      (a) => spawnSync("sh", ["-c", `command -v ${a.split(" ")[0]}`]).status === 0,
    );
    expect(awks).toContain("awk");
    for (const awk of awks) {
      const script = REDACT_CONFIG_AWK.replace(/^awk /, `${awk} `);
      const r = spawnSync("sh", ["-c", script], { input: text, encoding: "utf8" });
      expect(r.status, `${awk}: ${r.stderr}`).toBe(0);
      expect(r.stdout, awk).toBe(redactConfig(text));
    }
  });

  it("leaves <revision> out of the fingerprint", () => {
    const a = liveOf(fixture("box.xml"));
    const b = liveOf(fixture("box.xml").replace("1700000000.55", "1700000999.01"));
    const c = liveOf(fixture("box.xml").replace("<hostname>fw-1", "<hostname>fw-9"));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it("fails a read whose config.xml is not XML with its line and column", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opnsense-read-"));
    const path = join(dir, "config.xml");
    writeFileSync(path, "<opnsense>\n  <system>\n</opnsense>\n");
    await expect(readOpnsense(localSession(path, []), device)).rejects.toThrow(
      /config\.xml:3:1: <\/opnsense> closes <system>/,
    );
  });
});
