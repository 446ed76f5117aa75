// How the impact reads: the plan text's lines and totals, the pull request section with its
// Mermaid picture, and the plan comment carrying it.
import { describe, expect, it } from "vitest";
import { planCommentBody } from "../../reconciler/github/plan-comment.ts";
import { impactOf, type PlanImpact } from "../../reconciler/impact/impact.ts";
import type { Plan } from "../../reconciler/model/plan.ts";
import { formatImpact, impactMarkdown, impactMermaid } from "../../reconciler/report/impact-text.ts";
import { loadExample, replaceOnce } from "../helpers/example-repo.ts";

async function exampleImpact(edit: Record<string, (t: string) => string>): Promise<PlanImpact> {
  const before = (await loadExample()).repo;
  const after = (await loadExample(edit)).repo;
  if (!before || !after) throw new Error("the example does not load");
  return { base: { revision: "0123456789abcdef", why: "--impact-base" }, ...impactOf(before, after) };
}

describe("the impact as text", () => {
  it("shows a cost change as moved paths, before and after, with the totals", async () => {
    const impact = await exampleImpact({
      "desired/links.yaml": replaceOnce("      cost: 20\n", "      cost: 60\n"),
    });
    const text = formatImpact(impact);
    expect(text).toMatch(/^Routing, compared with 0123456789ab \(--impact-base\):$/m);
    expect(text).toMatch(
      /^ {2}router-a → 192\.0\.2\.128\/26: moved: via router-b wg-b \(ospf, cost 40\) → via router-c wg-c \(ospf, cost 60\)$/m,
    );
    expect(text).toMatch(
      /^Routing impact: \d+ paths moved, 0 unreachable, 0 newly reachable, 0 withdrawn \(8 routers, \d+ prefixes\)\.$/m,
    );
    expect(text).not.toMatch(/--allow-unreachable/);
  });

  it("puts unreachable prefixes first, says apply refuses them, and names new single points of failure", async () => {
    const impact = await exampleImpact({
      "desired/links.yaml": (t) => {
        const at = t.indexOf("  - name: core-tower\n");
        return t.slice(0, at);
      },
    });
    const text = formatImpact(impact);
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/: UNREACHABLE: /);
    expect(text).toMatch(
      /fw-1 → 198\.51\.100\.24\/29: UNREACHABLE: via core-1 wg0 \(ospf, cost 120\) → no route/,
    );
    expect(text).toMatch(/apply refuses this plan unless --allow-unreachable is passed/);
    const md = impactMarkdown(impact, 16_000);
    expect(md).toMatch(/```mermaid\ngraph LR/);
    // The removed link is drawn dashed and red.
    expect(impactMermaid(impact)).toMatch(/-\.-\|"core-tower: removed[^"]*"\|/);
    expect(impactMermaid(impact)).toMatch(/linkStyle \d+ stroke:#cf222e,stroke-width:3px,stroke-dasharray:4/);
    // Within a small budget the picture goes first, then the lines; the totals stay.
    const small = impactMarkdown(impact, 300);
    expect(small).not.toMatch(/mermaid/);
    expect(small).toMatch(/^#### Routing impact: /);
  });

  it("is in the pull request's plan comment", async () => {
    const impact = await exampleImpact({
      "desired/links.yaml": replaceOnce("      cost: 20\n", "      cost: 60\n"),
    });
    const plan: Plan = {
      version: 1,
      createdAt: "2026-01-01T00:00:00Z",
      origin: "working tree",
      devices: [],
      impact,
    };
    const body = planCommentBody({
      headSha: "a".repeat(40),
      plan,
      text: "plan text",
      planHash: "b".repeat(64),
    });
    expect(body).toMatch(/#### Routing impact: \d+ paths moved/);
    expect(body).toMatch(/```mermaid/);
  });
});
