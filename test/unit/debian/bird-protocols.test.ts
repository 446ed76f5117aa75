// Running state is state: a bird protocol disabled by hand (`birdc disable mesh4`) while every
// file is as rendered is drift the plan shows and apply restores; bird not running is drift too.
// Outputs as bird 2.0.12 prints them.
import { describe, expect, it } from "vitest";
import {
  birdRuntimeDrift,
  disabledInConfig,
  parseBirdProtocols,
} from "../../../reconciler/drivers/debian/parse-bird-protocols.ts";
import type { LiveState } from "../../../reconciler/model/live.ts";
import { planDevice } from "../../../reconciler/plan/planner.ts";
import { testDevice } from "../../helpers/device.ts";

const AFTER_DISABLE = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     19:16:19.008  
mesh4      OSPF       master4    down   19:16:20.025  
mesh6      OSPF       master6    up     19:16:19.008  Running
s2         Static     master4    down   19:16:19.008  
bgp_rr     BGP        ---        start  19:16:19.008  Active        Socket: Connection refused
`;

const CONF = `router id 192.0.2.193;
protocol device {}
protocol ospf v3 mesh4 { ipv4 { import all; }; area 0 { interface "wg-b" { hello 5; }; }; }
protocol ospf v3 mesh6 { ipv6 { import all; }; area 0 { interface "wg-b"; }; }
protocol static s2 {
  disabled;
  ipv4;
  route 192.0.2.64/26 blackhole;
}
`;

describe("bird's running protocols", () => {
  it("parses the table", () => {
    expect(parseBirdProtocols(AFTER_DISABLE).map((p) => `${p.name}:${p.state}`)).toEqual([
      "device1:up",
      "mesh4:down",
      "mesh6:up",
      "s2:down",
      "bgp_rr:start",
    ]);
  });

  it("knows which protocols the configuration itself disables", () => {
    expect([...disabledInConfig(CONF)]).toEqual(["s2"]);
  });

  it("a protocol disabled at run time is drift; one disabled in the file and a BGP session still connecting are not", () => {
    expect(birdRuntimeDrift(AFTER_DISABLE, "0", CONF)).toEqual([
      {
        path: "runtime.bird.protocol[mesh4]",
        seen: "down (disabled at run time, or failed)",
        expected: "up",
      },
    ]);
  });

  it("bird not running while bird.conf exists is drift", () => {
    expect(birdRuntimeDrift("", "1", CONF)).toEqual([
      { path: "runtime.bird", seen: "not running (birdc cannot reach it)", expected: "running" },
    ]);
  });

  it("the plan shows it as a change even when every file is as rendered", () => {
    const device = testDevice("router-a");
    const live: LiveState = {
      device: "router-a",
      platform: "debian",
      state: {},
      artifacts: {},
      publicKeys: {},
      fingerprint: "f",
      runtime: birdRuntimeDrift(AFTER_DISABLE, "0", CONF),
    };
    const driver = {
      candidate: () => ({ kind: "files" as const, files: {} }),
      normalize: (i: object) => i,
      owned: () => new Set<string>(),
    };
    const p = planDevice({ device, desired: {}, live }, driver);
    expect(p.status).toBe("changes");
    expect(p.changes).toEqual([
      {
        device: "router-a",
        path: "runtime.bird.protocol[mesh4]",
        action: "update",
        before: "down (disabled at run time, or failed)",
        after: "up",
      },
    ]);
  });
});
