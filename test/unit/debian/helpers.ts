// Shared by the Debian driver's tests: the example network, edge-case intents, a scripted
// DeviceSession that replays recorded output, and the read script's output format.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceIntent } from "../../../reconciler/schema/device.ts";
import type { CommandResult, DeviceSession, ScriptOptions } from "../../../reconciler/transport/session.ts";
import { loadExample, ROOT } from "../../helpers/example-repo.ts";

export const DEBIAN_ROUTERS = ["router-a", "router-b", "router-c", "core-1"] as const;
export const FIXTURES = join(ROOT, "test", "fixtures", "debian");
export const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

let cached: Awaited<ReturnType<typeof loadExample>> | undefined;
export async function example() {
  cached ??= await loadExample();
  const repo = cached.repo;
  if (!repo) throw new Error("the example network does not load");
  return repo;
}

import { testDevice } from "../../helpers/device.ts";

export const device = (name: string) => testDevice(name);

export const KEY_A = "XXKoN58A8Jsu60NYAsxubzGXX+1K/z8oKYjEx+PI6jQ=";
export const KEY_B = "iyKVpaLwCMZ5P4j1ZQk8Olz4S1hb3VV867kesNs9WQM=";
export const KEY_C = "4iTkNb1jiCU5qLOcmlZwvCaFWE+tmfEhsSSMWJh8yVI=";

/** bird: several instances and areas, passive interfaces, authentication, static routes, BGP RR. */
export function birdEdge(): DeviceIntent {
  return {
    routing_daemon: "bird",
    interfaces: [
      { name: "eth0", kind: "ethernet", addresses: ["192.0.2.1/26"] },
      {
        name: "vlan100",
        kind: "vlan",
        vlan: { parent: "eth0", id: 100 },
        mtu: 1496,
        addresses: ["2001:DB8:0:1::1/64"],
      },
      { name: "br0", kind: "bridge" },
      { name: "lo", kind: "loopback", addresses: ["192.0.2.255/32"] },
    ],
    wireguard: [
      { name: "wg-empty", listen_port: 51900, peers: [] },
      {
        name: "wg-v6",
        addresses: ["fe80::1/64", "203.0.113.10/31"],
        table: "auto",
        peers: [
          { public_key: KEY_B, endpoint: "[2001:DB8::1]:51820", allowed_ips: ["::/0", "0.0.0.0/0"] },
          {
            public_key: KEY_A,
            allowed_ips: ["192.0.2.0/24"],
            persistent_keepalive: 25,
            preshared_key_env: "WG_PSK",
          },
        ],
      },
    ],
    ospf: {
      router_id: "192.0.2.1",
      instances: [
        {
          name: "core",
          version: 2,
          redistribute: ["static", "connected"],
          areas: [
            {
              id: "0.0.0.0",
              interfaces: [
                { name: "eth0", passive: true },
                {
                  name: "wg-v6",
                  cost: 5,
                  authentication: { type: "cryptographic", key_id: 3, password_env: "OSPF_KEY" },
                },
              ],
            },
            {
              id: "0.0.0.1",
              stub: true,
              stub_networks: ["10.1.0.0/16", "10.0.0.0/16"],
              interfaces: [
                {
                  name: "vlan100",
                  type: "nbma",
                  authentication: { type: "simple", password_env: "OSPF_SIMPLE" },
                },
              ],
            },
          ],
        },
        {
          name: "v6",
          version: 3,
          router_id: "192.0.2.9",
          areas: [{ id: "0.0.0.0", interfaces: [{ name: "vlan100", hello: 3, dead: 12 }] }],
        },
      ],
    },
    bgp: {
      asn: 64500,
      cluster_id: "192.0.2.100",
      announce: ["192.0.2.0/24", "2001:db8::/32"],
      neighbors: [
        {
          address: "2001:db8::2",
          remote_asn: 64501,
          password_env: "BGP_PW",
          address_families: ["ipv6", "ipv4"],
        },
        {
          address: "192.0.2.2",
          remote_asn: 64500,
          update_source: "192.0.2.1",
          route_reflector_client: true,
          next_hop_self: true,
          description: "rr client",
        },
      ],
    },
    static_routes: [
      { prefix: "192.0.2.0/24", blackhole: true, description: "aggregate" },
      { prefix: "10.9.0.0/16", interface: "eth0" },
      { prefix: "10.8.0.0/16", via: "192.0.2.62", interface: "eth0", distance: 250 },
      { prefix: "10.0.0.0/8", via: "192.0.2.62" },
      { prefix: "2001:db8::/32", blackhole: true, distance: 10 },
    ],
    forwarding: { ipv4: true },
    raw: { bird: "protocol bfd {\n}\n" },
  };
}

/** FRR: what FRR can express of the same (no stub networks, one instance per version). */
export function frrEdge(): DeviceIntent {
  const intent = birdEdge();
  intent.routing_daemon = "frr";
  const core = intent.ospf?.instances[0];
  if (core?.areas[1]) delete core.areas[1].stub_networks;
  const v6 = intent.ospf?.instances[1];
  if (v6?.areas[0]?.interfaces?.[0]) {
    v6.areas[0].interfaces[0] = {
      name: "vlan100",
      passive: true,
      cost: 7,
      hello: 3,
      dead: 12,
      retransmit: 4,
      type: "ptp",
      authentication: { type: "cryptographic", password_env: "OSPF6_KEY" },
    };
  }
  v6?.areas.push({ id: "0.0.0.2", stub: true, interfaces: [{ name: "wg-v6" }] });
  intent.raw = { frr: "log syslog informational\nroute-map RM permit 10\n set metric 5\nexit\n" };
  return intent;
}

/** Output in the read script's format: begin marker, bytes, newline, end marker with rc. */
export function scriptOutput(nonce: string, sections: [name: string, text: string, rc: string][]): string {
  return sections
    .map(
      ([name, text, rc]) =>
        `@@reconciler:${nonce}:begin ${name}@@\n${text}\n@@reconciler:${nonce}:end ${name} rc=${rc}@@\n`,
    )
    .join("");
}

export interface FakeSession extends DeviceSession {
  scripts: string[];
  runs: string[][];
}

/** A session that answers sh() with recorded output, its nonce replaced by the script's. */
export function replaySession(
  recorded: (nonce: string) => string | Promise<string>,
  stderr = "",
  exitCode = 0,
): FakeSession {
  const scripts: string[] = [];
  const runs: string[][] = [];
  return {
    device: "fake",
    scripts,
    runs,
    async run(argv: readonly string[]): Promise<CommandResult> {
      runs.push([...argv]);
      throw new Error("the read must use one script, not run()");
    },
    async sh(script: string, _opts?: ScriptOptions): Promise<CommandResult> {
      scripts.push(script);
      const nonce = /^N=([0-9a-f]+)$/m.exec(script)?.[1];
      if (!nonce) throw new Error("the script sets no nonce");
      return { command: "sh -s", stdout: await recorded(nonce), stderr, exitCode };
    },
    async line(): Promise<CommandResult> {
      throw new Error("a Debian router is driven through its shell, not line()");
    },
  };
}
