// The inventory's rollout section: loaded into the repository as written, checked by the schema,
// and a canary selector matching no device warned about.
import { describe, expect, it } from "vitest";
import { loadExample } from "../../helpers/example-repo.ts";

const withRollout = (section: string) => ({
  "inventory/inventory.yaml": (text: string) => `${text}\nrollout:\n${section}`,
});

describe("inventory rollout section", () => {
  it("is loaded as written", async () => {
    const r = await loadExample(
      withRollout(
        '  canary: [router-a, "role=core"]\n  batch: "25%"\n  max_fail_percentage: 10\n  soak: 60\n',
      ),
    );
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.repo?.rollout).toEqual({
      canary: ["router-a", "role=core"],
      batch: "25%",
      max_fail_percentage: 10,
      soak: 60,
    });
  });

  it("refuses a batch of 0%, a percentage over 100 and an unknown key", async () => {
    for (const bad of ['  batch: "0%"\n', "  max_fail_percentage: 101\n", "  serial: 3\n", "  batch: 0\n"]) {
      const r = await loadExample(withRollout(bad));
      expect(r.repo, bad).toBeUndefined();
      expect(
        r.diagnostics.some((d) => d.severity === "error" && d.path.startsWith("rollout")),
        bad,
      ).toBe(true);
    }
  });

  it("warns about a canary selector that matches no device", async () => {
    const r = await loadExample(withRollout("  canary: [router-a, towre-*]\n"));
    expect(r.repo).toBeDefined();
    expect(r.diagnostics.filter((d) => d.path.startsWith("rollout"))).toEqual([
      expect.objectContaining({
        severity: "warning",
        path: "rollout.canary[1]",
        message: 'the canary selector "towre-*" matches no device',
      }),
    ]);
  });
});
