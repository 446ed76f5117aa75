// The reconciler's own memory, on the machine that runs it: the snapshot of every device taken
// before each change (what a rollback restores, even when git or GitHub is unreachable) and an
// append-only journal of every step. Plain files under one directory: default <repo>/.state.
import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LiveState } from "../model/live.ts";

export interface JournalEntry {
  time: string;
  runId: string;
  device: string;
  step: string;
  ok: boolean;
  detail?: string;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function safe(name: string, what: string): string {
  if (!SAFE.test(name)) throw new Error(`invalid ${what} for the state store: ${JSON.stringify(name)}`);
  return name;
}

export class StateStore {
  constructor(readonly dir: string) {}

  /** Saves a device's snapshot (its artifacts hold no secrets: drivers redact on the device). */
  async saveSnapshot(runId: string, live: LiveState): Promise<string> {
    const dir = join(this.dir, "snapshots", safe(live.device, "device"));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${safe(runId, "run id")}.json`);
    await writeFile(path, `${JSON.stringify(live, null, 2)}\n`, { mode: 0o600 });
    return path;
  }

  async latestSnapshot(device: string): Promise<LiveState | undefined> {
    const dir = join(this.dir, "snapshots", safe(device, "device"));
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(".json")).sort();
    } catch {
      return undefined;
    }
    const last = names[names.length - 1];
    return last ? (JSON.parse(await readFile(join(dir, last), "utf8")) as LiveState) : undefined;
  }

  async journal(entry: Omit<JournalEntry, "time">): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const line: JournalEntry = { time: new Date().toISOString(), ...entry };
    await appendFile(join(this.dir, "journal.jsonl"), `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }

  async readJournal(): Promise<JournalEntry[]> {
    try {
      const text = await readFile(join(this.dir, "journal.jsonl"), "utf8");
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as JournalEntry);
    } catch {
      return [];
    }
  }
}

/** A run id that sorts by time and names device-side run directories: 20261125T140000Z-3f9a1c. */
export function newRunId(now = new Date(), random = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const suffix = Math.floor(random() * 0xffffff)
    .toString(16)
    .padStart(6, "0");
  return `${stamp}-${suffix}`;
}
