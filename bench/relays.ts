// One delaying TCP relay per device, all listening on the host's address on the benchmark
// bridge: there is no netem on the benchmark's kernel, so distance is emulated by holding every
// chunk for the delay in each direction (test/lab/delay-proxy.ts, the lab's relay, reused).
import { type DelayProxy, startTcpDelayProxy } from "../test/lab/delay-proxy.ts";

export interface Relays {
  /** Port of device i's relay, on the listen address. */
  ports: number[];
  close(): Promise<void>;
}

export async function startRelays(
  listenHost: string,
  targets: readonly { host: string; port: number }[],
  delayMs: number,
): Promise<Relays> {
  const proxies: DelayProxy[] = [];
  try {
    for (const t of targets)
      proxies.push(await startTcpDelayProxy({ host: listenHost, port: 0 }, t, delayMs));
  } catch (e) {
    await Promise.all(proxies.map((p) => p.close()));
    throw e;
  }
  return {
    ports: proxies.map((p) => p.address.port),
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}
