// The reconciler's own memory, on the machine that runs it: the snapshot of every device taken
// before each change (what a rollback restores, even when git or GitHub is unreachable) and an
// append-only journal of every step. Plain files under one directory: default <repo>/.reconciler/state (a git repository: git-store.ts).
// Snapshots are written atomically (atomic.ts); journal lines are appended whole and flushed, and
// a line that was torn anyway (a crash mid-write, a full disk) is skipped and counted on reading,
// never taken as a reason to read the journal as empty.
import { mkdir, open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Candidate, LiveState } from "../model/live.ts";
import { redactRunSecrets } from "../report/run-secrets.ts";
import { writeFileAtomic } from "./atomic.ts";

export interface JournalEntry {
  time: string;
  runId: string;
  device: string;
  step: string;
  ok: boolean;
  detail?: string;
}

export interface ConfirmedEntry {
  device: string;
  runId: string;
  confirmedAt: string;
  revision?: string;
  origin: string;
  /** The candidate as planned (redacted); for a rollback, the device run it restored instead. */
  candidate?: Candidate;
  restoredFrom?: string;
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
    await writeFileAtomic(path, redactRunSecrets(`${JSON.stringify(live, null, 2)}\n`));
    return path;
  }

  /**
   * The configuration a run confirmed on a device, redacted (the candidate as the plan showed it:
   * secrets as placeholders), at confirmed/<device>.json. The device keeps the real bytes: they are
   * live, and the next run's snapshot on the device is where a rollback restores them from.
   */
  async saveConfirmed(entry: ConfirmedEntry): Promise<string> {
    const dir = join(this.dir, "confirmed");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${safe(entry.device, "device")}.json`);
    safe(entry.runId, "run id");
    await writeFileAtomic(path, redactRunSecrets(`${JSON.stringify(entry, null, 2)}\n`));
    return path;
  }

  /** The newest snapshot of a device that can be read (a damaged file is passed over). */
  async latestSnapshot(device: string): Promise<LiveState | undefined> {
    const dir = join(this.dir, "snapshots", safe(device, "device"));
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
    } catch {
      return undefined;
    }
    for (const name of names.reverse()) {
      try {
        const live = JSON.parse(await readFile(join(dir, name), "utf8")) as LiveState;
        if (live && typeof live === "object" && live.device === device) return live;
      } catch {
        // torn or corrupt: an older one is better than none
      }
    }
    return undefined;
  }

  async journal(entry: Omit<JournalEntry, "time">): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const line: JournalEntry = { time: new Date().toISOString(), ...entry };
    const fh = await open(join(this.dir, "journal.jsonl"), "a+", 0o600);
    try {
      // A line left torn by an earlier crash is ended first, so this one starts on its own line.
      const { size } = await fh.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await fh.read(last, 0, 1, size - 1);
      const lead = size > 0 && last[0] !== 0x0a ? "\n" : "";
      await fh.appendFile(`${lead}${redactRunSecrets(JSON.stringify(line))}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** The journal's entries; `torn` counts the lines that could not be read (skipped). */
  async readJournalWithDamage(): Promise<{ entries: JournalEntry[]; torn: number }> {
    let text: string;
    try {
      text = await readFile(join(this.dir, "journal.jsonl"), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], torn: 0 };
      throw err;
    }
    const entries: JournalEntry[] = [];
    let torn = 0;
    for (const l of text.split("\n")) {
      if (!l.trim()) continue;
      try {
        const e = JSON.parse(l) as JournalEntry;
        if (e && typeof e === "object" && typeof e.step === "string") entries.push(e);
        else torn++;
      } catch {
        torn++;
      }
    }
    return { entries, torn };
  }

  async readJournal(): Promise<JournalEntry[]> {
    return (await this.readJournalWithDamage()).entries;
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
