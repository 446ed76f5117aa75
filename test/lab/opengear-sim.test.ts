// The simulated Opengear oob-1 in the lab (test/sim/opengear): what an SSH client meets (ogcli at
// /usr/bin/ogcli in oob-1 only, its store at /etc/config/ngcs.db readable from outside, tailscale),
// ogcli round trips, and the management VPN configured through ogcli coming up as a real
// WireGuard interface that handshakes with a peer configured by hand on core-1.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../sim/opengear/store.ts";
import { type LabRouter, nsExec, nsExecOk, sshExec } from "./lab.ts";
import { useLab } from "./lab-fixture.ts";

const lab = useLab();
let oob1: LabRouter;
let core1: LabRouter;
const storeOf = (r: LabRouter): Store =>
  JSON.parse(readFileSync(join(r.dir, "opengear", "etc-config", "ngcs.db"), "utf8")) as Store;

async function ssh(cmd: string, input?: string): Promise<string> {
  const r = await sshExec(
    oob1,
    cmd,
    input === undefined ? { timeoutMs: 30_000 } : { input, timeoutMs: 30_000 },
  );
  if (r.code !== 0) throw new Error(`oob-1: ${cmd} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
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
  const find = (n: string) => {
    const r = lab().routers.find((x) => x.name === n);
    if (!r) throw new Error(`the lab has no ${n}`);
    return r;
  };
  oob1 = find("oob-1");
  core1 = find("core-1");
});

afterAll(async () => {
  if (core1) await nsExec(core1, ["ip", "link", "del", "dev", "wg-oob"]).catch(() => undefined);
});

describe("oob-1 over SSH", () => {
  it("is an opengear router with ogcli in its own mount namespace only", async () => {
    expect(oob1.platform).toBe("opengear");
    expect(oob1.user).toBe("root");
    expect(await ssh("command -v ogcli tailscale")).toBe("/usr/bin/ogcli\n/usr/bin/tailscale\n");
    expect((await nsExec(core1, ["sh", "-c", "command -v ogcli"])).code).not.toBe(0);
    expect(await ssh("ogcli get system/hostname")).toBe('hostname="oob-1"\n');
  });

  it("ogcli get/update round trips, the store seen from outside, errors on stderr with exit 1", async () => {
    await ssh('ogcli update port ports-1 label=\\"core-1\\" baudrate=\\"9600\\"');
    await ssh('ogcli update port ports-2 << \'END\'\nlabel="router-a"\nstopbits="1"\nEND\n');
    const out = await ssh("ogcli get ports");
    expect(out).toContain('ports[0].label="core-1"\n');
    expect(out).toContain('ports[1].label="router-a"\n');
    expect((storeOf(oob1).data.ports as { label: string }[])[0]?.label).toBe("core-1");
    const bad = await sshExec(oob1, 'ogcli update port ports-1 baudrate=\\"9601\\"');
    expect(bad).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "Error: Invalid value '9601' for field 'baudrate'\n",
    });
    // export → restore over SSH, stanza files as napalm-opengear uploads them
    await ssh("ogcli export /tmp/ogcli-backup");
    await ssh('ogcli update port ports-1 label=\\"changed\\"');
    expect(await ssh("ogcli restore /tmp/ogcli-backup")).toBe("restore successful\n");
    expect(await ssh("ogcli get port ports-1")).toContain('label="core-1"\n');
  });

  it("tailscale answers up / status --json / down and records the calls", async () => {
    await ssh("tailscale up --authkey=tskey-auth-lab --hostname=oob-1");
    expect(JSON.parse(await ssh("tailscale status --json"))).toMatchObject({ BackendState: "Running" });
    await ssh("tailscale down");
    const journal = readFileSync(join(oob1.dir, "opengear", "sim", "journal.jsonl"), "utf8");
    expect(journal).toContain('"tailscale":["down"]');
  });
});

describe("the management VPN through ogcli", () => {
  it("brings up a real WireGuard interface that handshakes with core-1", async () => {
    const corePriv = execFileSync("wg", ["genkey"], { encoding: "utf8" }).trim();
    const corePub = execFileSync("wg", ["pubkey"], { input: corePriv, encoding: "utf8" }).trim();
    // the effects' warnings (wireguard-go, wg, ip failing) would be on stderr
    const created = await sshExec(oob1, "ogcli create wireguard", {
      timeoutMs: 30_000,
      input: [
        'name="wg-mgmt"',
        'description="management VPN"',
        'addresses[0]="198.51.100.113/28"',
        `peers[0].public_key="${corePub}"`,
        'peers[0].endpoint_address="198.51.100.133"',
        "peers[0].endpoint_port=51820",
        'peers[0].allowed_ips[0]="198.51.100.112/28"',
        "peers[0].persistent_keepalive=5",
        "",
      ].join("\n"),
    });
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const shown = await ssh("ogcli get wireguard wg-mgmt");
    const oobPub = /^public_key="([^"]+)"$/m.exec(shown)?.[1];
    expect(oobPub).toBeTruthy();
    expect(shown).toContain('private_key="********"');
    // core-1, by hand: the other end of the tunnel
    await nsExecOk(core1, ["wireguard-go", "wg-oob"]);
    // wg reads keys from files (it cannot open /dev/stdin on node's socket pipes)
    const keyDir = mkdtempSync(join(tmpdir(), "oob-lab-"));
    writeFileSync(join(keyDir, "key"), `${corePriv}\n`, { mode: 0o600 });
    try {
      await nsExecOk(core1, [
        "wg",
        "set",
        "wg-oob",
        "private-key",
        join(keyDir, "key"),
        "listen-port",
        "51820",
      ]);
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
    await nsExecOk(core1, [
      "wg",
      "set",
      "wg-oob",
      "peer",
      oobPub as string,
      "allowed-ips",
      "198.51.100.113/32",
    ]);
    await nsExecOk(core1, ["ip", "addr", "add", "198.51.100.114/28", "dev", "wg-oob"]);
    await nsExecOk(core1, ["ip", "link", "set", "wg-oob", "up"]);
    // the handshake, seen on oob-1, and traffic through the tunnel
    await until("a handshake on oob-1's wg-mgmt", async () => {
      const hs = await nsExecOk(oob1, ["wg", "show", "wg-mgmt", "latest-handshakes"]);
      return Number(hs.trim().split(/\s+/)[1]) > 0 ? true : undefined;
    });
    expect((await nsExec(oob1, ["ping", "-c", "1", "-W", "2", "198.51.100.114"])).code).toBe(0);
    // disabled through ogcli: the interface goes
    await ssh("cp /etc/config/ngcs.db /tmp/ngcs-before.db");
    await ssh("ogcli update wireguard wg-mgmt enabled=false");
    expect((await nsExec(oob1, ["ip", "link", "show", "dev", "wg-mgmt"])).code).not.toBe(0);
    // the whole store copied back (as opengear/ogcli-restore-rollback does) takes effect at the
    // next restore: the tunnel is back and handshakes again
    await ssh(
      "cp /tmp/ngcs-before.db /etc/config/ngcs.db && ogcli export /tmp/now.og && ogcli restore /tmp/now.og",
    );
    await until("the tunnel back after the store copy and restore", async () => {
      const r = await nsExec(oob1, ["ping", "-c", "1", "-W", "2", "198.51.100.114"]);
      return r.code === 0 ? true : undefined;
    });
  });
});
