// The simulated OPNsense fw-1 in the lab (test/sim/opnsense): what an SSH client meets (tcsh as
// root's login shell, `sh -s` on stdin, /conf/config.xml, FreeBSD's commands), and the example's
// core-fw link made real: a config written through the GUI writer, applied with configctl's real
// actions, core-1 configured by hand, then a WireGuard handshake, OSPF Full and iBGP Established
// seen from both sides.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { setRuleDescription } from "../sim/opnsense/edits.ts";
import { configureFw1 } from "../sim/opnsense/example.ts";
import { guiSave } from "../sim/opnsense/gui-save.ts";
import { at, parseXml, text } from "../sim/opnsense/xml.ts";
import { type LabRouter, nsExecOk, sshExec } from "./lab.ts";
import { useLab } from "./lab-fixture.ts";

const lab = useLab();
let fw1: LabRouter;
let core1: LabRouter;
const configPath = () => join(fw1.dir, "opnsense", "conf", "config.xml");

const wg = (...args: string[]) => execFileSync("wg", args, { encoding: "utf8" }).trim();
const keypair = () => {
  const priv = wg("genkey");
  return { priv, pub: execFileSync("wg", ["pubkey"], { input: priv, encoding: "utf8" }).trim() };
};

async function ssh(cmd: string, input?: string): Promise<string> {
  const r = await sshExec(fw1, cmd, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`fw-1: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

beforeAll(() => {
  const l = lab();
  const find = (n: string) => {
    const r = l.routers.find((x) => x.name === n);
    if (!r) throw new Error(`the lab has no ${n}`);
    return r;
  };
  fw1 = find("fw-1");
  core1 = find("core-1");
});

describe("fw-1 over SSH", () => {
  it("logs root into tcsh; scripts run through sh -s on stdin", async () => {
    expect((await ssh("echo $shell")).trim()).toBe("/usr/bin/tcsh");
    expect(await ssh("sh -s", 'x="a b"; printf "%s|%s\\n" "$x" "$(hostname)"\n')).toBe("a b|fw-1\n");
  });

  it("has /conf/config.xml in OPNsense's structure, root-only", async () => {
    const root = parseXml(await ssh("cat /conf/config.xml"));
    expect(root.name).toBe("opnsense");
    expect(text(at(root, "system"), "hostname")).toBe("fw-1");
    expect(at(root, "OPNsense/wireguard/server/servers")).toBeDefined();
    expect((await ssh("sh -s", "stat -f '%Lp %Su' /conf/config.xml\n")).trim()).toBe("640 root");
  });

  it("has FreeBSD's lockf, sha256, daemon and b64decode, and no setsid", async () => {
    expect(await ssh("sh -s", "lockf -k /tmp/fw1.lock echo ok; sha256 -q /conf/config.xml | wc -c\n")).toBe(
      "ok\n65\n",
    );
    const framed = `begin-base64 600 /tmp/fw1.decoded\n${Buffer.from("hi\n").toString("base64")}\n====\n`;
    expect(
      await ssh(
        "sh -s",
        `b64decode <<'EOF'\n${framed}EOF\ncat /tmp/fw1.decoded; stat -f %Lp /tmp/fw1.decoded\n`,
      ),
    ).toBe("hi\n600\n");
    expect(
      await ssh(
        "sh -s",
        "daemon -f -p /tmp/fw1.pid sleep 3; sleep 0.5; test -s /tmp/fw1.pid && echo detached\n",
      ),
    ).toBe("detached\n");
    const r = await sshExec(fw1, "setsid true");
    expect([r.code, r.stderr.trim()]).toEqual([1, "setsid: Command not found."]);
    const sh = await sshExec(fw1, "sh -s", { input: "setsid true\n" });
    expect(sh.code).toBe(127);
  });

  it("configctl refuses an unknown action with configd's reply (and exits 0)", async () => {
    const r = await sshExec(fw1, "configctl wireguard reconfigure");
    expect([r.code, r.stdout]).toEqual([0, "Action not allowed or missing\n"]);
  });
});

describe("the core-fw link made real", () => {
  it("forms a WireGuard handshake, OSPF Full and iBGP with core-1", async () => {
    const fwKeys = keypair();
    const coreKeys = keypair();
    const before = (await ssh("ls /conf/backup")).split("\n").filter(Boolean).length;
    await guiSave(configPath(), (root) =>
      configureFw1(root, { privkey: fwKeys.priv, pubkey: fwKeys.pub, corePubkey: coreKeys.pub }),
    );
    expect((await ssh("ls /conf/backup")).split("\n").filter(Boolean)).toHaveLength(before + 1);

    for (const action of [
      "template reload OPNsense/Wireguard",
      "wireguard configure",
      "template reload OPNsense/Quagga",
      "quagga reload",
    ]) {
      expect(await ssh(`configctl ${action}`), action).toBe("OK\n");
    }

    // core-1 by hand: its end of core-fw (listening on 198.51.100.70:51820), OSPF and the reflector.
    await nsExecOk(core1, ["sh", "-c", "umask 077; cat > /etc/wireguard/wg-fw.key"], {
      input: `${coreKeys.priv}\n`,
    });
    await nsExecOk(core1, ["wireguard-go", "wg-fw"]);
    await nsExecOk(core1, [
      "wg",
      "set",
      "wg-fw",
      "private-key",
      "/etc/wireguard/wg-fw.key",
      "listen-port",
      "51820",
      "peer",
      fwKeys.pub,
      "allowed-ips",
      "0.0.0.0/0",
    ]);
    await nsExecOk(core1, ["ip", "addr", "add", "203.0.113.6/31", "dev", "wg-fw"]);
    await nsExecOk(core1, ["ip", "link", "set", "wg-fw", "mtu", "1420", "up"]);
    const vty = [
      "configure terminal",
      "interface wg-fw",
      "ip ospf network point-to-point",
      "ip ospf hello-interval 10",
      "ip ospf dead-interval 40",
      "exit",
      "router ospf",
      "ospf router-id 192.0.2.196",
      "network 203.0.113.6/31 area 0.0.0.0",
      "exit",
      "router bgp 64500",
      "bgp router-id 192.0.2.196",
      "no bgp default ipv4-unicast",
      "neighbor 203.0.113.7 remote-as 64500",
      "address-family ipv4 unicast",
      "neighbor 203.0.113.7 activate",
      "neighbor 203.0.113.7 route-reflector-client",
    ];
    await nsExecOk(core1, ["vtysh", ...vty.flatMap((c) => ["-c", c])]);

    // A concurrent GUI edit while the services come up: saved under the lock, nothing lost.
    await guiSave(configPath(), (root) => setRuleDescription(root, 1, "edited in the GUI meanwhile"));
    expect(await ssh("grep -c 'edited in the GUI meanwhile' /conf/config.xml")).toBe("1\n");
    expect(await ssh("grep -c '<name>core-fw</name>' /conf/config.xml")).toBe("1\n");

    const handshake = async (r: LabRouter, dev: string) => {
      const out = await nsExecOk(r, ["wg", "show", dev, "latest-handshakes"]);
      const t = Number(out.trim().split(/\s+/)[1] ?? 0);
      return t > 0 ? t : undefined;
    };
    await until("fw-1's handshake", () => handshake(fw1, "wg0"));
    await until("core-1's handshake", () => handshake(core1, "wg-fw"));
    // What a client of fw-1 reads: `wg show` over SSH.
    expect(await ssh("wg show wg0 latest-handshakes")).toMatch(
      new RegExp(`^${escapeRe(coreKeys.pub)}\\t[1-9]\\d+\\n$`),
    );

    const ospfFull = async (r: LabRouter, neighbor: string) => {
      const out = await nsExecOk(r, ["vtysh", "-c", "show ip ospf neighbor json"]);
      const n = JSON.parse(out).neighbors?.[neighbor] as { nbrState?: string; state?: string }[] | undefined;
      const state = n?.[0]?.nbrState ?? n?.[0]?.state ?? "";
      return state.startsWith("Full") ? state : undefined;
    };
    await until("OSPF Full on fw-1", () => ospfFull(fw1, "192.0.2.196"));
    await until("OSPF Full on core-1", () => ospfFull(core1, "192.0.2.197"));

    const bgpUp = async (r: LabRouter, peer: string) => {
      const out = await nsExecOk(r, ["vtysh", "-c", `show bgp neighbors ${peer} json`]);
      return JSON.parse(out)[peer]?.bgpState === "Established" ? true : undefined;
    };
    await until("iBGP on fw-1", () => bgpUp(fw1, "203.0.113.6"));
    await until("iBGP on core-1", () => bgpUp(core1, "203.0.113.7"));
    expect(await ssh("vtysh -c 'show ip ospf neighbor'")).toMatch(/192\.0\.2\.196\s+\d+\s+Full/);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
