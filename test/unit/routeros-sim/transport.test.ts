// The simulator through the reconciler's own SSH transport (what a RouterOS driver and its
// contract harness use): host key pinned, key login, `line()` on exec channels.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { type SimTower, startSimTower } from "../../sim/routeros/harness.ts";

let tower: SimTower;
let transport: SshTransport;

beforeAll(async () => {
  tower = await startSimTower({ user: "reconciler+ct511w4098h" });
  transport = tower.transport();
});

afterAll(async () => {
  await transport?.closeAll();
  await tower?.close();
});

describe("the simulator through the reconciler's SSH transport", () => {
  it("runs command lines and returns RouterOS's output and status", async () => {
    const s = await transport.session("tower-1");
    const add = await s.line("/interface wireguard add name=wg0 listen-port=13231");
    expect(add.exitCode).toBe(0);
    const out = await s.line(":put [/interface wireguard get wg0 listen-port]");
    expect(out.stdout).toBe("13231\r\n");
    const bad = await s.line("/interface wireguard add name=wg0");
    expect(bad.stdout).toBe("failure: already have interface with such name\r\n");
    const exp = await s.line("/export terse");
    expect(exp.stdout).toContain("/interface wireguard add listen-port=13231 name=wg0\r\n");
    expect(exp.stdout).not.toContain("private-key");
  });
});
