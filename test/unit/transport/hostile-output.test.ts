// A device that prints without end, goes quiet, or is sent a long script cannot take the run
// down: output is capped per command (OutputTooLargeError, channel closed), a silent command
// times out before its total, and errors name the step with a short one-line command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readFleet } from "../../../reconciler/cli/read-fleet.ts";
import { debianDriver } from "../../../reconciler/drivers/debian/driver.ts";
import { CommandError, DeviceError, OutputTooLargeError } from "../../../reconciler/model/errors.ts";
import type { DesiredRepo } from "../../../reconciler/model/repo.ts";
import type { Progress } from "../../../reconciler/report/progress.ts";
import type { Transport } from "../../../reconciler/transport/session.ts";
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_STDERR_BYTES,
  SshSession,
} from "../../../reconciler/transport/ssh-session.ts";
import { ROOT } from "../../helpers/example-repo.ts";
import { device, type FakeChannel, FakeLink, session } from "./fake-link.ts";

const MiB = 1024 * 1024;

/** Prints `chunk` on a stream again and again, as fast as the event loop allows, until closed. */
const flood =
  (chunk: Buffer, stream: "stdout" | "stderr" = "stdout") =>
  (ch: FakeChannel) => {
    const next = () => {
      if (ch.closed) return;
      (stream === "stdout" ? ch : ch.stderr).emit("data", chunk);
      setImmediate(next);
    };
    setImmediate(next);
  };

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("output cap", () => {
  it("fails a command printing past maxOutputBytes with OutputTooLargeError and closes its channel", async () => {
    const link = new FakeLink(() => ({ feed: flood(Buffer.alloc(64 * 1024, "y")) }));
    const err = await failure(session(link).run(["yes"], { maxOutputBytes: MiB }));
    expect(err).toBeInstanceOf(OutputTooLargeError);
    expect(err).toBeInstanceOf(DeviceError);
    const e = err as OutputTooLargeError;
    expect(e.limitBytes).toBe(MiB);
    expect(e.message).toBe("r1: `yes` printed more than 1048576 bytes on stdout; its channel was closed");
    expect(e.command).toBe("yes");
    // The error keeps a tail of the output, not the megabyte.
    expect(e.output?.length).toBeLessThan(5000);
    expect(link.channels[0]?.closed).toBe(true);
    expect(link.channels[0]?.signals).toEqual(["KILL"]);
  });

  it("caps stdout at 16 MiB by default", async () => {
    const link = new FakeLink(() => ({ feed: flood(Buffer.alloc(MiB, "y")) }));
    const err = (await failure(session(link).run(["yes"]))) as OutputTooLargeError;
    expect(err).toBeInstanceOf(OutputTooLargeError);
    expect(err.limitBytes).toBe(DEFAULT_MAX_OUTPUT_BYTES);
    expect(DEFAULT_MAX_OUTPUT_BYTES).toBe(16 * MiB);
  });

  it("caps stderr too, at 1 MiB", async () => {
    const link = new FakeLink(() => ({ feed: flood(Buffer.alloc(256 * 1024, "e"), "stderr") }));
    const err = (await failure(session(link).sh("yes >&2", { name: "noisy" }))) as OutputTooLargeError;
    expect(err).toBeInstanceOf(OutputTooLargeError);
    expect(err.limitBytes).toBe(MAX_STDERR_BYTES);
    expect(err.message).toBe("r1: noisy printed more than 1048576 bytes on stderr; its channel was closed");
  });

  it("returns output of exactly the cap in full", async () => {
    const stdout = "x".repeat(1000);
    const link = new FakeLink(() => ({ code: 0, stdout }));
    const r = await session(link).run(["cat"], { maxOutputBytes: 1000 });
    expect(r.stdout).toBe(stdout);
    const over = await failure(session(link).run(["cat"], { maxOutputBytes: 999 }));
    expect(over).toBeInstanceOf(OutputTooLargeError);
  });

  it("a flooding device fails alone: the others are still read", async () => {
    const recorded = readFileSync(join(ROOT, "test", "fixtures", "debian", "host-read.out"), "utf8");
    const links: Record<string, FakeLink> = {
      "r-flood": new FakeLink(() => ({ feed: flood(Buffer.alloc(MiB, "@")) })),
      "r-good": new FakeLink((_command, stdin) => {
        const nonce = /N=([0-9a-f]+)/.exec(stdin ?? "")?.[1] ?? "missing";
        return { code: 0, stdout: recorded.replaceAll("0123456789abcdef0123", nonce) };
      }),
    };
    const devices = Object.keys(links).map((name) => device({ name }));
    const transport: Transport = {
      session: async (name) =>
        new SshSession(device({ name }), links[name] as FakeLink, { commandTimeoutMs: 10_000, secrets: [] }),
      freshSession: () => Promise.reject(new Error("not used")),
      closeAll: async () => {},
    };
    const progress: Progress = { start() {}, done() {}, finish() {} };
    const repo = { expanded: {}, publicKeys: {} } as unknown as DesiredRepo;
    const inputs = await readFleet(repo, devices, transport, { debian: debianDriver }, progress);
    const flooded = inputs[0]?.live;
    expect(flooded && "error" in flooded ? flooded.error?.kind : "read").toBe("OutputTooLargeError");
    const good = inputs[1]?.live;
    expect(good && !("error" in good) ? Object.keys(good.publicKeys).sort() : good).toEqual([
      "rclexp0",
      "rclexp1",
    ]);
  });
});

describe("idle timeout", () => {
  it("fails a command that goes quiet for idleTimeoutMs, long before its total timeout", async () => {
    const link = new FakeLink(() => ({
      feed: (ch) => setImmediate(() => ch.emit("data", Buffer.from("working\n"))),
    }));
    const started = Date.now();
    const err = (await failure(
      session(link).sh("step1\nsleep 1000", { name: "stage", idleTimeoutMs: 100, timeoutMs: 30_000 }),
    )) as CommandError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBeNull();
    expect(err.message).toBe("r1: stage printed nothing for 0.1 s; its channel was closed");
    expect(err.output).toBe("working");
    expect(link.channels[0]?.closed).toBe(true);
  });

  it("keeps a command that prints alive past the idle timeout; the total timeout still ends it", async () => {
    const trickle = (ch: FakeChannel) => {
      const t = setInterval(() => (ch.closed ? clearInterval(t) : ch.emit("data", Buffer.from("."))), 20);
    };
    const link = new FakeLink(() => ({ feed: trickle }));
    const started = Date.now();
    const err = (await failure(
      session(link).run(["tail", "-f", "/var/log/x"], { idleTimeoutMs: 100, timeoutMs: 500 }),
    )) as CommandError;
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(err.message).toBe(
      "r1: `tail '-f' /var/log/x` did not finish within 0.5 s; its channel was closed",
    );
  });

  it("has a default of 60 s, which ends a silent command given a longer total", async () => {
    vi.useFakeTimers();
    try {
      const link = new FakeLink(() => ({ hang: true }));
      const running = failure(session(link).sh("sh commit.sh", { name: "commit", timeoutMs: 180_000 }));
      await vi.advanceTimersByTimeAsync(59_000);
      expect(link.channels[0]?.closed).toBe(false);
      await vi.advanceTimersByTimeAsync(2_000);
      const err = (await running) as CommandError;
      expect(err.message).toBe("r1: commit printed nothing for 60 s; its channel was closed");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("errors name the step", () => {
  const script = `set -e\n${Array.from({ length: 200 }, (_, i) => `echo line ${i} >> /tmp/f`).join("\n")}\n`;

  it("says the step's name and carries a short one-line command, never the script", async () => {
    const link = new FakeLink(() => ({ code: 2, stderr: "bird: syntax error, line 3\n" }));
    const err = (await failure(session(link).sh(script, { name: "stage" }))) as CommandError;
    expect(err.message).toBe("r1: stage exited with status 2: bird: syntax error, line 3");
    expect(err.command).not.toContain("\n");
    expect(err.command?.length).toBeLessThanOrEqual(201);
    expect(err.command).toMatch(/^sh -s: set -e ⏎ echo line 0/);
  });

  it("without a name, a script's error still carries one short line", async () => {
    const link = new FakeLink(() => ({ hang: true }));
    const err = (await failure(session(link).sh(script, { timeoutMs: 50 }))) as CommandError;
    expect(err.command).not.toContain("\n");
    expect(err.command?.length).toBeLessThanOrEqual(201);
    expect(err.message).toMatch(/^r1: `sh -s: set -e ⏎ echo line 0 .*…` did not finish within 0.05 s/);
  });

  it("redacts the short command", async () => {
    const link = new FakeLink(() => ({ code: 1 }));
    const err = (await failure(
      session(link, {}, ["hunter2hunter2"]).sh(`login hunter2hunter2\n${script}`, { name: "login" }),
    )) as CommandError;
    expect(`${err.message}${err.command}`).not.toContain("hunter2hunter2");
    expect(err.command).toContain("[redacted]");
  });
});
