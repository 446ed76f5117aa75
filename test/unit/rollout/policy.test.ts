// The run's rollout policy: the inventory's section, each field overridden by its flag.
import { describe, expect, it } from "vitest";
import { PolicyError, rolloutPolicy } from "../../../reconciler/rollout/policy.ts";

describe("rolloutPolicy", () => {
  const section = { canary: ["tower-*"], batch: "25%", max_fail_percentage: 10, soak: 60 };

  it("takes the inventory's section as written", () => {
    expect(rolloutPolicy(section, {})).toEqual({
      canary: ["tower-*"],
      batch: "25%",
      maxFailPercentage: 10,
      soakS: 60,
    });
    expect(rolloutPolicy(undefined, {})).toEqual({});
  });

  it("lets each flag override its field; an empty --canary means none", () => {
    expect(
      rolloutPolicy(section, {
        canary: "router-a, site=pop-1",
        batch: "3",
        maxFailPercentage: "0",
        waveSoak: "0",
      }),
    ).toEqual({ canary: ["router-a", "site=pop-1"], batch: 3, maxFailPercentage: 0, soakS: 0 });
    expect(rolloutPolicy(section, { canary: "" }).canary).toBeUndefined();
    expect(rolloutPolicy(section, { batch: "50%" }).batch).toBe("50%");
  });

  it("refuses flags that are not what they say", () => {
    for (const flags of [
      { batch: "0" },
      { batch: "0%" },
      { maxFailPercentage: "-1" },
      { waveSoak: "5s" },
      { canary: "a;b" },
    ])
      expect(() => rolloutPolicy(undefined, flags), JSON.stringify(flags)).toThrow(PolicyError);
  });
});
