// The RouterOS v7 simulator's public face (see README.md here).
export { Engine, type EngineOptions, type RunResult } from "./engine.ts";
export { RosError } from "./errors.ts";
export { exportConfig, header, headerDate } from "./export.ts";
export { parseScript } from "./lexer.ts";
export { loadState, saveState } from "./persist.ts";
export { SimRouter, type SimRouterOptions } from "./router.ts";
export { Scheduler } from "./scheduler.ts";
export {
  loginName,
  type RouterOsSsh,
  type RouterOsSshOptions,
  type SimUser,
  startRouterOsSsh,
} from "./ssh-server.ts";
export { Store } from "./store.ts";
export { publicKeyOf } from "./wgkeys.ts";
