// The benchmark's delaying relays (one per device): bytes arrive in order, and each direction is
// held for the delay, so a request/answer exchange takes at least two delays; each relay goes to
// its own device. On loopback, with echo servers standing in for the devices.
import { connect, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Relays, startRelays } from "../../bench/relays.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function echo(tag: string): Promise<number> {
  const server: Server = createServer((s) => s.on("data", (d) => s.write(`${tag}:${d}`)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
}

function exchange(port: number, messages: string[]): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const s = connect(port, "127.0.0.1");
    let text = "";
    const want = messages.map((m) => m.length).reduce((a, b) => a + b, 0);
    s.on("data", (d) => {
      text += d.toString();
      if (text.replace(/[ab]:/g, "").length >= want) {
        s.destroy();
        resolve({ text, ms: performance.now() - start });
      }
    });
    s.on("error", reject);
    s.on("connect", () => {
      for (const m of messages) s.write(m);
    });
  });
}

describe("bench delaying relays", () => {
  it("each device's relay reaches that device; order is kept; a round trip takes at least twice the delay", async () => {
    const targets = [
      { host: "127.0.0.1", port: await echo("a") },
      { host: "127.0.0.1", port: await echo("b") },
    ];
    const relays: Relays = await startRelays("127.0.0.1", targets, 60);
    closers.push(() => relays.close());
    expect(relays.ports).toHaveLength(2);
    const [a, b] = await Promise.all([
      exchange(relays.ports[0] as number, ["1", "2", "3"]),
      exchange(relays.ports[1] as number, ["x"]),
    ]);
    expect(a.text.replace(/a:/g, "")).toBe("123");
    expect(b.text).toBe("b:x");
    expect(a.ms).toBeGreaterThanOrEqual(115);
    expect(b.ms).toBeGreaterThanOrEqual(115);
  });

  it("without delay the same exchange is fast (the delay is the relay's, not the test's)", async () => {
    const relays = await startRelays("127.0.0.1", [{ host: "127.0.0.1", port: await echo("a") }], 0);
    closers.push(() => relays.close());
    const r = await exchange(relays.ports[0] as number, ["1"]);
    expect(r.text).toBe("a:1");
    expect(r.ms).toBeLessThan(100);
  });
});
