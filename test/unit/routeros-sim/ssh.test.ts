// The simulator over SSH, end to end with ssh2's client: password and public-key logins, the
// `+ct511w4098h` login suffix, exec channels (output with CRLF, then exit) and the shell.
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sshKeyPair } from "../../sim/routeros/ssh-keys.ts";
import { type RouterOsSsh, startRouterOsSsh } from "../../sim/routeros/ssh-server.ts";

const { Client, utils } = ssh2;
const clientKey = sshKeyPair();

let sim: RouterOsSsh;
beforeAll(async () => {
  sim = await startRouterOsSsh({
    identity: "tower-1",
    users: [
      { name: "admin", password: "s3cret" },
      { name: "reconciler", publicKeys: [clientKey.public] },
    ],
  });
});
afterAll(async () => {
  await sim.close();
});

type Auth = { username: string; password?: string; privateKey?: string };

function connect(auth: Auth): Promise<InstanceType<typeof Client>> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once("ready", () => resolve(c));
    c.once("error", reject);
    c.connect({
      host: sim.host,
      port: sim.port,
      ...auth,
      hostVerifier: (key: Buffer) => key.toString("base64") === sim.hostPublicKey.split(" ")[1],
    });
  });
}

function exec(
  c: InstanceType<typeof Client>,
  command: string,
): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, ch) => {
      if (err) return reject(err);
      let out = "";
      let code: number | null = null;
      ch.on("data", (d: Buffer) => {
        out += d.toString();
      });
      ch.on("exit", (c2: number | null) => {
        code = c2;
      });
      ch.on("close", () => resolve({ out, code }));
    });
  });
}

describe("RouterOS simulator over SSH", () => {
  it("logs in with a password (with netmiko's +ct511w4098h suffix) and runs exec commands", async () => {
    const c = await connect({ username: "admin+ct511w4098h", password: "s3cret" });
    try {
      expect(await exec(c, "/system identity print")).toEqual({ out: "  name: tower-1\r\n", code: 0 });
      const add = await exec(
        c,
        "/interface wireguard add name=wg0 listen-port=13231\n/ip address add address=192.0.2.1/31 interface=wg0",
      );
      expect(add).toEqual({ out: "", code: 0 });
      expect((await exec(c, ":put [/ip address find where interface=wg0]")).out).toBe("*1\r\n");
      const exp = await exec(c, "/ip address export");
      expect(exp.out.split("\r\n").slice(3)).toEqual([
        "/ip address",
        "add address=192.0.2.1/31 interface=wg0 network=192.0.2.0",
        "",
      ]);
      const bad = await exec(c, "/ip address add address=192.0.2.1/31 interface=wg0");
      expect(bad.out).toBe("failure: already have such address\r\n");
    } finally {
      c.end();
    }
    expect(sim.commands).toContain("/system identity print");
  });

  it("logs in with a public key; refuses a wrong password", async () => {
    const c = await connect({ username: "reconciler", privateKey: clientKey.private });
    try {
      expect((await exec(c, ":put [/system identity get name]")).out).toBe("tower-1\r\n");
    } finally {
      c.end();
    }
    await expect(connect({ username: "admin", password: "wrong" })).rejects.toThrow(/authentication/i);
  });

  it("serves an interactive shell with the RouterOS prompt", async () => {
    const c = await connect({ username: "admin+ct511w4098h", password: "s3cret" });
    try {
      const text = await new Promise<string>((resolve, reject) => {
        c.shell((err, ch) => {
          if (err) return reject(err);
          let buf = "";
          ch.on("data", (d: Buffer) => {
            buf += d.toString();
            if (buf.split("> ").length === 3) {
              ch.end("/quit\r");
              resolve(buf);
            }
          });
          ch.write("/system identity print\r");
        });
      });
      expect(text).toBe("[admin@tower-1] > /system identity print\r\n  name: tower-1\r\n[admin@tower-1] > ");
    } finally {
      c.end();
    }
  });
});

describe("a reboot over SSH", () => {
  it("drops the connection; the configuration is there after reconnecting", async () => {
    const c = await connect({ username: "admin", password: "s3cret" });
    await exec(c, "/interface bridge add name=before-reboot");
    const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
    c.exec("/system reboot", () => {});
    await closed;
    const again = await connect({ username: "admin", password: "s3cret" });
    try {
      expect((await exec(again, ":put [/interface bridge get before-reboot name]")).out).toBe(
        "before-reboot\r\n",
      );
      expect(sim.router.reboots).toBe(1);
    } finally {
      again.end();
    }
  });
});
