// The benchmark's reading of a V8 CPU profile: self time per function and per area, the areas
// named from the script URLs (a snapshot directory called "reconciler" must not hide the source
// folder below it).
import { describe, expect, it } from "vitest";
import { area, type CpuProfile, short, summarizeProfile } from "../../bench/profile.ts";

describe("bench CPU profile", () => {
  it("names areas from URLs: packages, the reconciler's folders, node's module loader", () => {
    expect(area("file:///tmp/reconciler-bench-x/reconciler/dist/reconciler/drivers/debian/a.js", "f")).toBe(
      "reconciler/drivers",
    );
    expect(area("file:///work/main/reconciler/load/x.ts", "f")).toBe("reconciler/load");
    expect(area("file:///p/node_modules/@scope/pkg/x.js", "f")).toBe("@scope/pkg");
    expect(area("file:///p/node_modules/esbuild/lib/main.js", "f")).toBe("tsx (transpiling the sources)");
    expect(area("node:internal/modules/esm/hooks", "f")).toBe("node module loading");
    expect(area("", "(garbage collector)")).toBe("(garbage collector)");
    expect(short("file:///tmp/x/reconciler/dist/reconciler/load/x.js")).toBe("reconciler/load/x.js");
  });

  it("adds up self time from the samples and their time deltas", () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 } },
        {
          id: 2,
          callFrame: { functionName: "parse", url: "file:///p/node_modules/yaml/dist/a.js", lineNumber: 9 },
        },
        {
          id: 3,
          callFrame: { functionName: "plan", url: "file:///w/reconciler/plan/planner.ts", lineNumber: 0 },
        },
      ],
      samples: [2, 3, 2, 2],
      timeDeltas: [1000, 5000, 2000, 500],
    };
    const s = summarizeProfile(p);
    expect(s.topSelf[0]).toEqual({ fn: "plan", url: "reconciler/plan/planner.ts:1", ms: 5 });
    expect(s.topSelf[1]).toEqual({ fn: "parse", url: "node_modules/yaml/dist/a.js:10", ms: 3.5 });
    expect(s.byArea).toEqual({ yaml: 3.5, "reconciler/plan": 5 });
  });
});
