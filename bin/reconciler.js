#!/usr/bin/env node
// The published entry point. Runs the compiled JavaScript in dist/ (npm run build; npm ci builds
// it through the prepare script) when it was built from the sources as they are now. Otherwise (no
// build, or a source edited since) it registers tsx and runs the TypeScript sources, silently: the
// result is the same, only slower to start, and stale compiled code never runs (dist-state.js).
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { distState } from "./dist-state.js";

// Most runs are short: V8 would spend more CPU optimizing functions (TurboFan, on another thread)
// than the optimized code saves before the process exits. A larger interrupt budget tiers up only
// functions that stay hot. Measured (issue 14): validate of 50 devices 0.47 -> 0.36 s CPU; of 800
// devices 1.89 -> 1.85 s, so long runs lose nothing (--no-opt would cost them 25%).
setFlagsFromString("--interrupt-budget=1000000");

if (distState(fileURLToPath(new URL("..", import.meta.url))).current) {
  await import("../dist/reconciler/cli/main.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../reconciler/cli/main.ts");
}
