import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Lab tests share namespaces and the machine's 2 cores: never run two lab files at once.
    fileParallelism: true,
    testTimeout: 30_000,
  },
});
