// The configuration on "flash": RouterOS keeps every change across a reboot (there is no separate
// save step). The state is written after every command batch, atomically, and read back at boot.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "./store.ts";

const FILE = "routeros-state.json";

export function saveState(dir: string, store: Store): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, store.toJSON());
  renameSync(tmp, join(dir, FILE));
}

export function loadState(dir: string): Store | undefined {
  try {
    return Store.fromJSON(readFileSync(join(dir, FILE), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
