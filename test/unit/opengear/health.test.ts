// The health gate's collection: what the box printed, as observations the shared evaluator judges.
import { describe, expect, it } from "vitest";
import {
  healthScript,
  observeHealth,
  opengearHealthProbes,
} from "../../../reconciler/drivers/opengear/apply/health.ts";
import { oob1 } from "./helpers.ts";

const outputs = (m: Record<string, string>) => ({
  get: (n: string) => (n in m ? { text: m[n] as string, rc: "0" } : undefined),
});

describe("opengear health", () => {
  const probes = opengearHealthProbes(oob1());

  it("derives the probes from the desired state", () => {
    expect(probes).toEqual([
      { kind: "serial-port", port: "ports-1" },
      { kind: "serial-port", port: "ports-2" },
      { kind: "cellular-failover" },
      {
        kind: "wireguard-tunnel",
        interface: "wg-mgmt",
        publicKey: "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=",
      },
      { kind: "management-path", address: "snmp:161" },
    ]);
  });

  it("a port as desired, a port not, the failover armed, a handshake after the commit", () => {
    const seen = observeHealth(
      probes,
      outputs({
        "port:1":
          'baudrate="9600"\ndatabits="8"\nlabel="core-1"\nmode="consoleServer"\nparity="none"\nstopbits="1"\n',
        "port:2":
          'baudrate="115200"\ndatabits="8"\nlabel="router-a"\nmode="consoleServer"\nparity="none"\nstopbits="1"\n',
        "failover:settings": 'enabled=true\nprobe_address="203.0.113.53"\nprobe_physif="net1"\n',
        "failover:status": 'status="primary_complete"\n',
        "committed-at": "1000\n",
        "wg:wg-mgmt": "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=\t1005\n",
        "path:snmp:161": "udp 00000000:00A1\n",
      }),
      oob1(),
    );
    expect(seen).toEqual([
      { kind: "serial-port", port: "ports-1", configured: true, detail: "as desired" },
      { kind: "serial-port", port: "ports-2", configured: false, detail: "baudrate 115200 (want 9600)" },
      {
        kind: "cellular-failover",
        armed: true,
        detail: "enabled true, probe 203.0.113.53, status primary_complete",
      },
      {
        kind: "wireguard-peer",
        interface: "wg-mgmt",
        publicKey: "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=",
        latestHandshake: 1005,
        committedAt: 1000,
        receivedSinceCommit: 0,
      },
      { kind: "management-path", address: "snmp:161", reachable: true, detail: "answers" },
    ]);
  });

  it("a session kept across the commit: the hub's packets since the commit are the proof", () => {
    const key = "iGQvJvWjzAlDYbTVmwLeL/PnOt+fAfkCnSp1OXCOMHg=";
    const script = healthScript("r1", probes, "00112233445566778899");
    expect(script).toContain("section wgrx:wg-mgmt wg show wg-mgmt transfer");
    expect(script).toContain("section transfer-at-commit cat ");
    const seen = observeHealth(
      probes.filter((p) => p.kind === "wireguard-tunnel"),
      outputs({
        "committed-at": "1000\n",
        "wg:wg-mgmt": `${key}\t990\n`,
        "wgrx:wg-mgmt": `${key}\t5596\t5172\n`,
        "transfer-at-commit": `wg-mgmt\t${key}\t4000\t3900\n`,
      }),
      oob1(),
    );
    expect(seen).toEqual([
      {
        kind: "wireguard-peer",
        interface: "wg-mgmt",
        publicKey: key,
        latestHandshake: 990,
        committedAt: 1000,
        receivedSinceCommit: 1596,
      },
    ]);
  });

  it("a disabled failover or another probe address is not armed", () => {
    const [obs] = observeHealth(
      [{ kind: "cellular-failover" }],
      outputs({
        "failover:settings": 'enabled=true\nprobe_address="192.0.2.1"\n',
        "failover:status": 'status="disabled"\n',
      }),
      oob1(),
    );
    expect(obs).toMatchObject({ kind: "cellular-failover", armed: false });
  });

  it("Tailscale: running and online", () => {
    const [obs] = observeHealth(
      [{ kind: "management-path", address: "tailscale:self" }],
      outputs({ "path:tailscale:self": '{"BackendState":"Running","Self":{"Online":true}}' }),
      oob1(),
    );
    expect(obs).toMatchObject({ reachable: true, detail: "tailscale running, online" });
  });
});
