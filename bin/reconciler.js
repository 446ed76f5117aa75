#!/usr/bin/env node
// The published entry point. Runs the compiled JavaScript in dist/ (npm run build; npm ci builds
// it through the prepare script) when it was built from the sources as they are now. Otherwise (no
// build, or a source edited since) it registers tsx and runs the TypeScript sources, silently: the
// result is the same, only slower to start, and stale compiled code never runs (dist-state.js).
import { fileURLToPath } from "node:url";
import { distState } from "./dist-state.js";

if (distState(fileURLToPath(new URL("..", import.meta.url))).current) {
  await import("../dist/reconciler/cli/main.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../reconciler/cli/main.ts");
}
