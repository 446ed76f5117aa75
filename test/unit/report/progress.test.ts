// Progress in both shapes, on a fake stream and a fake clock: on a terminal one line rewritten in
// place per wave (counts, step, elapsed) with failures kept above it; in a log plain lines only,
// exactly one per event, no escape sequence.
import { describe, expect, it } from "vitest";
import { createProgress, createWaveProgress, elapsed } from "../../../reconciler/report/progress.ts";

function fakeStream(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, columns, write: (t: string) => writes.push(t) },
    /** What a terminal shows: each \r\x1b[K erases the line being written. */
    screen: () =>
      writes
        .join("")
        .split("\n")
        .map((l) => l.split("\r\x1b[K").pop() ?? ""),
  };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (s: number) => (t += s * 1000) };
}

const announce = (of: number) => `run r1: applying in ${of} waves`;

function rollout(progress: ReturnType<typeof createWaveProgress>, c: ReturnType<typeof clock>) {
  progress.wave(0, 2, ["core-1"], true);
  c.advance(5);
  progress.step("core-1", "connect", true);
  progress.step("core-1", "stage", true);
  c.advance(7);
  progress.step("core-1", "confirm", true);
  progress.soak(30);
  c.advance(30);
  progress.wave(1, 2, ["router-a", "router-b", "router-c"], false);
  progress.step("router-a", "stage", true);
  progress.step("router-b", "stage", true);
  c.advance(65);
  progress.step("router-c", "lock", false, "locked by run r0\x1b[2J");
  progress.step("router-a", "confirm", true);
  progress.finish();
}

describe("elapsed", () => {
  it("prints m:ss, and h:mm:ss past an hour", () => {
    expect(elapsed(0)).toBe("0:00");
    expect(elapsed(65_400)).toBe("1:05");
    expect(elapsed(3_725_000)).toBe("1:02:05");
  });
});

describe("a rollout's progress", () => {
  it("in a log: one plain line per event, the same lines as before this existed", () => {
    const f = fakeStream(false);
    const c = clock();
    rollout(createWaveProgress(f.stream, { announce, now: c.now }), c);
    expect(f.writes.join("")).toBe(
      [
        "run r1: applying in 2 waves",
        "wave 1/2 (canary): core-1",
        "  core-1: connect ok",
        "  core-1: stage ok",
        "  core-1: confirm ok",
        "soaking 30 s before the next wave",
        "wave 2/2: router-a, router-b, router-c",
        "  router-a: stage ok",
        "  router-b: stage ok",
        "  router-c: lock FAILED: locked by run r0\\x1b[2J",
        "  router-a: confirm ok",
        "",
      ].join("\n"),
    );
    expect(f.writes.join("")).not.toContain("\r");
    expect(f.writes.every((w) => w.endsWith("\n"))).toBe(true);
  });

  it("on a terminal: one updating line per wave with counts, step and elapsed; failures stay above it", () => {
    const f = fakeStream(true);
    const c = clock();
    rollout(createWaveProgress(f.stream, { announce, now: c.now }), c);
    expect(f.screen()).toEqual([
      "run r1: applying in 2 waves",
      "wave 1/2 (canary): 1/1 confirmed · 0:12 (run 0:12)",
      "soaking 30 s before the next wave",
      "  router-c: lock FAILED: locked by run r0\\x1b[2J",
      "wave 2/2: 1/3 confirmed, 1 failed, 1 past stage · 1:05 (run 1:47)",
      "",
    ]);
    // The line was rewritten as the wave went, never scrolled: more writes than lines.
    expect(f.writes.filter((w) => w.startsWith("\r\x1b[K")).length).toBeGreaterThan(6);
    // The device's escape sequence is shown, not sent.
    expect(f.writes.join("")).not.toContain("\x1b[2J");
  });

  it("on a terminal: the line in between says where the wave stands", () => {
    const f = fakeStream(true);
    const c = clock();
    const p = createWaveProgress(f.stream, { announce, now: c.now });
    p.wave(0, 1, ["a", "b", "c"], false);
    p.step("a", "stage", true);
    p.step("b", "stage", true);
    p.step("c", "connect", true);
    c.advance(3);
    p.step("c", "lock", true);
    expect(f.screen().at(-1)).toBe("devices: 0/3 confirmed, 2 past stage · 0:03 (run 0:03)");
  });

  it("on a terminal: never wider than the terminal, so the line can be rewritten", () => {
    const f = fakeStream(true, 30);
    const p = createWaveProgress(f.stream, { announce: () => "x", now: () => 0 });
    p.wave(0, 12, ["a-very-long-device-name-indeed"], true);
    p.step("a-very-long-device-name-indeed", "connect", true);
    for (const w of f.writes.filter((x) => x.startsWith("\r")))
      expect(w.replace("\r\x1b[K", "").replace("\n", "").length).toBeLessThanOrEqual(29);
  });
});

describe("reading progress", () => {
  it("in a log: one line per device", () => {
    const f = fakeStream(false);
    const p = createProgress(f.stream, "reading");
    p.start(2);
    p.done("a", true);
    p.done("b\x1b[31m", false);
    p.finish();
    expect(f.writes.join("")).toBe("reading a: ok (1/2)\nreading b\\x1b[31m: failed (2/2)\n");
  });

  it("on a terminal: one line rewritten, with the elapsed time, erased at the end", () => {
    const f = fakeStream(true);
    const c = clock();
    const p = createProgress(f.stream, "reading", c.now);
    p.start(2);
    c.advance(2);
    p.done("a", true);
    expect(f.screen().at(-1)).toBe("reading 1/2 devices, 0:02: a");
    p.done("b", false);
    expect(f.screen().at(-1)).toBe("reading 2/2 devices (1 failed), 0:02: b");
    p.finish();
    expect(f.screen()).toEqual([""]);
  });
});

describe("a note during a rollout (an interrupt)", () => {
  it("goes above the wave's line on a terminal, which is redrawn", () => {
    const f = fakeStream(true);
    const p = createWaveProgress(f.stream, { announce, now: () => 0 });
    p.wave(0, 1, ["a"], false);
    p.note("SIGINT: stopping");
    p.finish();
    expect(f.screen()).toEqual([
      "run r1: applying in 1 waves",
      "SIGINT: stopping",
      "devices: 0/1 confirmed · 0:00 (run 0:00)",
      "",
    ]);
  });

  it("is one more line in a log", () => {
    const f = fakeStream(false);
    const p = createWaveProgress(f.stream, { announce, now: () => 0 });
    p.wave(0, 1, ["a"], false);
    p.note("SIGINT: stopping");
    expect(f.writes.join("")).toBe("run r1: applying in 1 waves\nSIGINT: stopping\n");
  });
});
