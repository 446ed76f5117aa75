// The lab's delaying relay, on loopback: bytes arrive intact and in order, and each direction is
// held for the delay (the property the lab relies on to emulate a distant site).
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type DelayProxy, startTcpDelayProxy, startUdpDelayProxy } from "../lab/delay-proxy.ts";

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe("delay proxy", () => {
  it("relays TCP intact, in order, a round trip taking at least twice the delay", async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
    closers.push(() => new Promise<void>((r) => echo.close(() => r())));
    const port = (echo.address() as { port: number }).port;
    const proxy: DelayProxy = await startTcpDelayProxy(
      { host: "127.0.0.1", port: 0 },
      { host: "127.0.0.1", port },
      100,
    );
    closers.push(() => proxy.close());
    const client = connect(proxy.address.port, "127.0.0.1");
    closers.push(() => {
      client.destroy();
    });
    const payload = Buffer.from(Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join(""));
    const started = Date.now();
    const received = await new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      client.on("data", (d: Buffer) => {
        parts.push(d);
        const all = Buffer.concat(parts);
        if (all.length >= payload.length) resolve(all);
      });
      // Many small writes: order must survive the per-chunk timers.
      for (let i = 0; i < payload.length; i += 997) client.write(payload.subarray(i, i + 997));
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(received.equals(payload)).toBe(true);
  });

  it("relays UDP both ways with the delay, replies going back to the right client", async () => {
    const echo = createSocket("udp4");
    echo.on("message", (m, from) =>
      echo.send(Buffer.concat([Buffer.from("echo:"), m]), from.port, from.address),
    );
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", () => r()));
    closers.push(() => new Promise<void>((r) => echo.close(() => r())));
    const proxy = await startUdpDelayProxy(
      { host: "127.0.0.1", port: 0 },
      { host: "127.0.0.1", port: echo.address().port },
      80,
    );
    closers.push(() => proxy.close());
    const ask = async (text: string) => {
      const c = createSocket("udp4");
      closers.push(() => new Promise<void>((r) => c.close(() => r())));
      const started = Date.now();
      const reply = await new Promise<string>((resolve) => {
        c.on("message", (m) => resolve(m.toString()));
        c.send(text, proxy.address.port, "127.0.0.1");
      });
      return { reply, ms: Date.now() - started };
    };
    const [a, b] = await Promise.all([ask("one"), ask("two")]);
    expect([a.reply, b.reply]).toEqual(["echo:one", "echo:two"]);
    expect(a.ms).toBeGreaterThanOrEqual(160);
  });
});
