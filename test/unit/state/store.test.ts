// The state store survives what a crash or a full disk leaves behind: a torn journal line is
// skipped (the other entries still read), the next entry starts on a line of its own, a damaged
// snapshot is passed over for an older one, and a snapshot is never seen half-written.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LiveState } from "../../../reconciler/model/live.ts";
import { writeFileAtomic } from "../../../reconciler/state/atomic.ts";
import { StateStore } from "../../../reconciler/state/store.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "reconciler-store-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const live = (device: string, fingerprint: string): LiveState => ({
  device,
  platform: "debian",
  state: {},
  artifacts: {},
  publicKeys: {},
  fingerprint,
});

describe("journal", () => {
  it("skips a torn line instead of reading the whole journal as empty, and starts the next entry on its own line", async () => {
    const dir = tmp();
    const store = new StateStore(dir);
    await store.journal({ runId: "r1", device: "a", step: "lock", ok: true });
    // A crash in the middle of a write: half a JSON line, no newline.
    await appendFile(join(dir, "journal.jsonl"), '{"time":"2026-11-29T00:00:00Z","runId":"r1","dev');
    await store.journal({ runId: "r1", device: "a", step: "unlock", ok: true });
    const { entries, torn } = await store.readJournalWithDamage();
    expect(entries.map((e) => e.step)).toEqual(["lock", "unlock"]);
    expect(torn).toBe(1);
    expect(readFileSync(join(dir, "journal.jsonl"), "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("reads a missing journal as empty", async () => {
    expect(await new StateStore(join(tmp(), "absent")).readJournal()).toEqual([]);
  });
});

describe("snapshots", () => {
  it("passes over a damaged snapshot for the newest one that reads", async () => {
    const dir = tmp();
    const store = new StateStore(dir);
    await store.saveSnapshot("20261129T000000Z-000001", live("a", "old"));
    const newest = await store.saveSnapshot("20261129T000000Z-000002", live("a", "new"));
    expect((await store.latestSnapshot("a"))?.fingerprint).toBe("new");
    writeFileSync(newest, '{"device":"a","fing');
    expect((await store.latestSnapshot("a"))?.fingerprint).toBe("old");
  });

  it("writes through a temporary file and a rename: no temporary file is left, the old content survives a failed write", async () => {
    const dir = tmp();
    const path = join(dir, "f.json");
    await writeFileAtomic(path, "first\n");
    await writeFileAtomic(path, "second\n");
    expect(readFileSync(path, "utf8")).toBe("second\n");
    expect(readdirSync(dir)).toEqual(["f.json"]);
    // A write that cannot happen (its directory is gone) leaves nothing behind and throws.
    await expect(writeFileAtomic(join(dir, "missing", "g.json"), "x")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["f.json"]);
  });
});
