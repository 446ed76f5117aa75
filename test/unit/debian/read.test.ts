// readDebian over a scripted session that replays recorded output: one round trip, the expected
// LiveState, and no private key anywhere, not even when the device fails to strip it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { debianDriver } from "../../../reconciler/drivers/debian/driver.ts";
import { normalizeDebian } from "../../../reconciler/drivers/debian/normalize.ts";
import {
  CMD_FRR_RUNNING,
  CMD_IP_ADDR,
  CMD_SYSCTL,
  CMD_WG_DUMP,
} from "../../../reconciler/drivers/debian/paths.ts";
import { readDebian } from "../../../reconciler/drivers/debian/read.ts";
import { buildReadScript } from "../../../reconciler/drivers/debian/read-script.ts";
import { renderDebian } from "../../../reconciler/drivers/debian/render.ts";
import { splitSections } from "../../../reconciler/drivers/kit/sections.ts";
import { CommandError } from "../../../reconciler/model/errors.ts";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import { device, example, fixture, replaySession, scriptOutput } from "./helpers.ts";

const RECORDED_NONCE = "0123456789abcdef0123";
const hostOutput = (nonce: string) => fixture("host-read.out").replaceAll(RECORDED_NONCE, nonce);
/** A WireGuard key that exists nowhere else: if it shows up in a result, it leaked. */
const freshKey = () => randomBytes(32).toString("base64");

/** What core-1 prints when it runs exactly its desired state (fw-1 has connected from a NAT). */
async function core1Output(nonce: string, edit: (sections: [string, string, string][]) => void = () => {}) {
  const repo = await example();
  const intent = repo.expanded["core-1"] as DeviceIntent;
  const files = renderDebian(intent, device("core-1")).files;
  const keys = repo.publicKeys["core-1"] ?? {};
  const peer = (w: string) => intent.wireguard?.find((x) => x.name === w)?.peers[0]?.public_key ?? "";
  const dump = [
    `wg-fw\t(hidden)\t${keys["wg-fw"]}\t51820\toff`,
    `wg-fw\t${peer("wg-fw")}\t(none)\t203.0.113.77:40001\t0.0.0.0/0,::/0\t-\t-\t-\t25`,
    `wg-tower\t(hidden)\t${keys["wg-tower"]}\t51821\toff`,
    `wg-tower\t${peer("wg-tower")}\t(none)\t(none)\t0.0.0.0/0,::/0\t-\t-\t-\t25`,
    "",
  ].join("\n");
  const sections: [string, string, string][] = [
    ["file:/etc/bird/bird.conf", "", "absent"],
    ["file:/etc/frr/frr.conf", files["/etc/frr/frr.conf"] ?? "", "0"],
    ["file:/etc/sysctl.d/90-reconciler.conf", files["/etc/sysctl.d/90-reconciler.conf"] ?? "", "0"],
    ["file:/etc/network/interfaces.d/reconciler", files["/etc/network/interfaces.d/reconciler"] ?? "", "0"],
    ["file:/etc/wireguard/wg-fw.conf", files["/etc/wireguard/wg-fw.conf"] ?? "", "0"],
    ["file:/etc/wireguard/wg-tower.conf", files["/etc/wireguard/wg-tower.conf"] ?? "", "0"],
    [CMD_WG_DUMP, dump, "0"],
    [CMD_IP_ADDR, fixture("core-1-ip-addr.json"), "0"],
    [CMD_SYSCTL, "1\n1\n", "0"],
    [CMD_FRR_RUNNING, fixture("core-1-running-config.txt"), "0"],
  ];
  edit(sections);
  return { intent, keys, output: scriptOutput(nonce, sections) };
}

describe("the read script", () => {
  const script = buildReadScript("00112233445566778899");

  it("is valid POSIX sh (dash -n) and interpolates nothing but the checked nonce and quoted constants", () => {
    execFileSync("dash", ["-n"], { input: script });
    expect(() => buildReadScript("00112233445566778899; rm -rf /")).toThrow(/hex/);
    expect(script).toContain("N=00112233445566778899\n");
    expect(script).toContain(
      "emit_cmd 'cmd:vtysh -c '\\''show running-config'\\''' redact_frr vtysh -c 'show running-config'",
    );
  });

  it("strips the private key on the device: wg's dump goes through awk, which blanks field 2 of interface lines", () => {
    expect(script).toContain("emit_cmd 'cmd:wg show all dump' strip_wg_dump wg show all dump");
    expect(script).toMatch(
      /strip_wg_dump\(\) \{ awk .*NF == 5 \{ if \(\$2 != "\(none\)"\) \$2 = "\(hidden\)"/,
    );
    // Run the script's own filter, with this machine's awk, on a dump holding real-looking keys.
    const privateKey = freshKey();
    const psk = freshKey();
    const dump = [
      `wg0\t${privateKey}\t${freshKey()}\t51820\toff`,
      `wg0\t${freshKey()}\t${psk}\t198.51.100.1:51820\t0.0.0.0/0\t1700000000\t1234\t5678\t25`,
      `wg1\t(none)\t(none)\t0\toff`,
      `odd line with ${privateKey}`,
      "",
    ].join("\n");
    const define = script.split("\n").find((l) => l.startsWith("strip_wg_dump()")) ?? "";
    const out = execFileSync("sh", ["-c", `${define}\nstrip_wg_dump`], { input: dump, encoding: "utf8" });
    expect(out).not.toContain(privateKey);
    expect(out).not.toContain(psk);
    expect(out.split("\n")[0]?.split("\t")[1]).toBe("(hidden)");
    expect(out.split("\n")[1]?.split("\t").slice(2)).toEqual([
      "(hidden)",
      "198.51.100.1:51820",
      "0.0.0.0/0",
      "-",
      "-",
      "-",
      "25",
    ]);
    expect(out.split("\n")[3]).toBe("(unexpected line hidden)");
  });

  it("redacts secrets in wg-quick files, bird.conf and FRR text on the device", () => {
    const run = (fn: string, input: string) => {
      const define = script.split("\n").find((l) => l.startsWith(`${fn}()`)) ?? "";
      return execFileSync("sh", ["-c", `${define}\n${fn}`], { input, encoding: "utf8" });
    };
    const key = freshKey();
    expect(run("redact_wg", `[Interface]\nprivatekey=${key}\n[Peer]\nPresharedKey = ${key}\n`)).not.toContain(
      key,
    );
    expect(run("redact_bird", 'password "s3cret" { id 1; };\n')).toBe('password "(hidden)" { id 1; };\n');
    const frr = run(
      "redact_frr",
      " ip ospf message-digest-key 1 md5 s3cret\n neighbor 192.0.2.1 password s3cret two\n ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key s3cret\n  key-string s3cret\n",
    );
    expect(frr).not.toContain("s3cret");
  });

  it("splits output by the markers of this read only", () => {
    const n = "aaaaaaaaaaaaaaaaaaaa";
    const forged = `@@reconciler:bbbbbbbbbbbbbbbbbbbb:end file:/x rc=0@@`;
    const sections = splitSections(
      scriptOutput(n, [
        ["file:/x", `a\n${forged}\nb\n`, "0"],
        ["file:/y", "", "absent"],
      ]),
      n,
    );
    expect(sections.get("file:/x")).toEqual({ text: `a\n${forged}\nb\n`, rc: "0" });
    expect(sections.get("file:/y")).toEqual({ text: "", rc: "absent" });
  });
});

describe("readDebian", () => {
  it("reads this machine's recorded output in one round trip", async () => {
    const session = replaySession(hostOutput);
    const live = await readDebian(session, device("host"));
    expect(session.scripts).toHaveLength(1);
    expect(session.runs).toHaveLength(0);
    expect(live.device).toBe("host");
    expect(live.platform).toBe("debian");
    expect(live.state).toEqual({
      wireguard: [
        {
          name: "rclexp0",
          listen_port: 51999,
          addresses: ["203.0.113.0/31", "fe80::ab:1/64"],
          mtu: 1400,
          table: "off",
          peers: [
            {
              public_key: "TCTAGRjT7t61T/JVqpe6U0X00T8ob/Lm+Ije2BTOajE=",
              endpoint: "[2001:db8::1]:51820",
              allowed_ips: ["192.0.2.194/32", "2001:db8:ffff::2/128"],
            },
            {
              public_key: "WXLGsDsD179U/V/m3mWFcXKJRIdtNnct8uywQBsyIyI=",
              endpoint: "198.51.100.65:51820",
              allowed_ips: ["0.0.0.0/0", "::/0"],
              persistent_keepalive: 25,
              preshared_key_env: "SECRET_SET",
            },
          ],
        },
        {
          name: "rclexp1",
          listen_port: 51998,
          addresses: ["203.0.113.2/31"],
          mtu: 1420,
          table: "off",
          peers: [],
        },
      ],
      forwarding: { ipv4: false, ipv6: false },
    });
    expect(live.publicKeys).toEqual({
      rclexp0: "Bn5eEL2aHQ3sf5spbGb/j/1Dd0IMS20zM+kEN5r6b08=",
      rclexp1: "tluQfHFa7KZiGaoSF0yJm4ws/s9F7qo6yQsCevNGIyI=",
    });
    expect(Object.keys(live.artifacts).sort()).toEqual([
      "/etc/bird/bird.conf",
      "/etc/frr/frr.conf",
      "/etc/network/interfaces.d/reconciler",
      "/etc/sysctl.d/90-reconciler.conf",
      CMD_IP_ADDR,
      CMD_SYSCTL,
      CMD_FRR_RUNNING,
      CMD_WG_DUMP,
    ]);
    expect(live.artifacts["/etc/sysctl.d/90-reconciler.conf"]).toBeNull();
    expect(live.artifacts[CMD_FRR_RUNNING]).toBeNull();
    expect(live.artifacts[CMD_WG_DUMP]).toContain("rclexp0\t(hidden)\tBn5eEL2a");
    expect(live.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads core-1 running its desired state as exactly its normalized desired state: no drift", async () => {
    const expected = await core1Output("ffffffffffffffffffff");
    const session = replaySession(async (nonce) => (await core1Output(nonce)).output);
    const live = await debianDriver.read(session, device("core-1"));
    expect(session.scripts).toHaveLength(1);
    expect(live.state).toEqual(normalizeDebian(expected.intent));
    expect(debianDriver.normalize(live.state)).toEqual(debianDriver.normalize(expected.intent));
    expect(live.publicKeys).toEqual(expected.keys);
    // fw-1's address as last seen is roaming, not configuration: no endpoint in the state.
    expect(live.state.wireguard?.find((w) => w.name === "wg-fw")?.peers[0]?.endpoint).toBeUndefined();
    // The raw snippet is what FRR runs and the model does not express: kept, and listed as such.
    expect(live.state.raw).toEqual({ frr: "log syslog informational\n" });
    expect((live as { unrecognized?: unknown }).unrecognized).toEqual({
      [CMD_FRR_RUNNING]: ["log syslog informational"],
    });
  });

  it("gives the same fingerprint for two reads, and another one when a file changed", async () => {
    const read = async (edit?: (s: [string, string, string][]) => void) =>
      readDebian(
        replaySession(async (nonce) => (await core1Output(nonce, edit)).output),
        device("core-1"),
      );
    const a = await read();
    const b = await read((s) => {
      // Run-time details that are not configuration: link state and a new kernel link-local.
      const ip = s.find((x) => x[0] === CMD_IP_ADDR);
      if (ip) ip[1] = ip[1].replaceAll('"operstate":"UNKNOWN"', '"operstate":"DOWN"');
    });
    const c = await read((s) => {
      const f = s.find((x) => x[0] === "file:/etc/frr/frr.conf");
      if (f) f[1] = f[1].replace("ip ospf cost 100", "ip ospf cost 150");
    });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it("a run committed and never confirmed is drift: the device is about to revert what it shows", async () => {
    const live = await readDebian(
      replaySession(
        async (nonce) =>
          (
            await core1Output(nonce, (s) => {
              s.push(["armed:20261129T120000Z-00beef", "1795700000\n", "0"]);
            })
          ).output,
      ),
      device("core-1"),
    );
    expect(live.runtime).toEqual([
      {
        path: "runtime.unconfirmed-run[20261129T120000Z-00beef]",
        seen: "committed and never confirmed: the device reverts it by itself at 2026-11-26T13:33:20.000Z",
        expected: "confirmed, or reverted",
      },
    ]);
  });

  it("never stores a private key, even when the device failed to strip it", async () => {
    const privateKey = freshKey();
    const psk = freshKey();
    const session = replaySession((nonce) =>
      scriptOutput(nonce, [
        [
          "file:/etc/wireguard/wg0.conf",
          `[Interface]\nPrivateKey = ${privateKey}\nListenPort = 51820\n`,
          "0",
        ],
        [
          CMD_WG_DUMP,
          `wg0\t${privateKey}\t${freshKey()}\t51820\toff\nwg0\t${freshKey()}\t${psk}\t(none)\t10.0.0.0/8\t0\t0\t0\toff\n`,
          "0",
        ],
        [CMD_IP_ADDR, "[]", "0"],
        [CMD_SYSCTL, "0\n0\n", "0"],
        [CMD_FRR_RUNNING, "", "not-running"],
      ]),
    );
    const live = await readDebian(session, device("x"));
    const everything = JSON.stringify(live);
    expect(everything).not.toContain(privateKey);
    expect(everything).not.toContain(psk);
    expect(live.artifacts["/etc/wireguard/wg0.conf"]).toContain("PrivateKey = (hidden)");
    expect(live.unrecognized["/etc/wireguard/wg0.conf"]).toEqual(["wg0.conf line 2: PrivateKey = (hidden)"]);
    expect(live.state.wireguard?.[0]?.peers[0]?.preshared_key_env).toBe("SECRET_SET");
  });

  it("fails with a CommandError instead of reporting an empty state when a command fails", async () => {
    const failing = (rc: string) =>
      replaySession(
        (nonce) =>
          scriptOutput(nonce, [
            [CMD_WG_DUMP, "", rc],
            [CMD_IP_ADDR, "[]", "0"],
            [CMD_SYSCTL, "0\n0\n", "0"],
          ]),
        "sh: 1: wg: not found\n",
      );
    await expect(readDebian(failing("127"), device("x"))).rejects.toBeInstanceOf(CommandError);
    await expect(readDebian(failing("127"), device("x"))).rejects.toThrow(
      /wg show all dump exited with status 127/,
    );
    await expect(
      readDebian(
        replaySession(() => "connection reset\n"),
        device("x"),
      ),
    ).rejects.toThrow(/did not run to its end/);
    const vtyshFails = replaySession((nonce) =>
      scriptOutput(nonce, [
        [CMD_WG_DUMP, "", "0"],
        [CMD_IP_ADDR, "[]", "0"],
        [CMD_SYSCTL, "0\n0\n", "0"],
        [CMD_FRR_RUNNING, "% Can't open configuration file", "1"],
      ]),
    );
    await expect(readDebian(vtyshFails, device("x"))).rejects.toBeInstanceOf(CommandError);
  });

  it("FRR that is not running runs no routing, even with its file in place", async () => {
    const session = replaySession(
      async (nonce) =>
        (
          await core1Output(nonce, (s) => {
            const frr = s.find((x) => x[0] === CMD_FRR_RUNNING);
            if (frr) {
              frr[1] = "";
              frr[2] = "not-running";
            }
          })
        ).output,
    );
    const live = await readDebian(session, device("core-1"));
    expect(live.state.routing_daemon).toBe("frr");
    expect(live.state.ospf).toBeUndefined();
    expect(live.state.bgp).toBeUndefined();
    expect(live.artifacts[CMD_FRR_RUNNING]).toBeNull();
  });
});
