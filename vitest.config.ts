import { defineConfig } from "vitest/config";

// Two projects: "unit" (pure code, the CLI end to end, contract suites; parallel) and "lab"
// (real routers in network namespaces; the namespaces are global, so one file at a time).
// scripts/test.sh runs them one after the other.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/contract/**/*.test.ts", "test/e2e/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "lab",
          include: ["test/lab/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          // The fault catalogue (issue 7 §9): lab faults, each asserting the routers' end state.
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
