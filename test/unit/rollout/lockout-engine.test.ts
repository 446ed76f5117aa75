// The lockout analysis plugs into the rollout engine's check as it is, or with the reconciler's
// source addresses bound in.
import { describe, expect, it } from "vitest";
import type { LockoutCheck } from "../../../reconciler/rollout/engine.ts";
import { lockoutFindings } from "../../../reconciler/rollout/lockout.ts";
import { liveStates, planOf, repoOf } from "./lockout-fixture.ts";

describe("lockoutFindings as the engine's LockoutCheck", () => {
  it("fits the engine's signature, and a closure passes the sources", () => {
    const plain: LockoutCheck = lockoutFindings;
    const withSources: LockoutCheck = (input) => lockoutFindings({ ...input, sources: ["192.0.2.200"] });
    const desired = liveStates();
    const core = desired["core-1"];
    if (core)
      core.firewall = {
        rules: [
          {
            description: "no ssh",
            action: "block",
            protocol: "tcp",
            source: "192.0.2.200",
            destination_port: 22,
          },
        ],
      };
    const input = { repo: repoOf(desired), plan: planOf(desired, liveStates()), waves: [["core-1"]] };
    expect(plain(input)).toEqual([]);
    expect(withSources(input).map((f) => f.device)).toEqual(["core-1", "tower-1"]);
  });
});
