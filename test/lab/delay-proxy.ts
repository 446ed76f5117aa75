// A delaying TCP/UDP relay: this kernel has no netem, so a distant site is emulated by putting
// this in front of a router's sshd (TCP) or WireGuard endpoint (UDP). Every chunk or datagram is
// held for `delayMs` in each direction, order kept. Lab use only: it listens on addresses of this
// machine and forwards only to the lab routers it is given.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { connect, createServer, type Server, type Socket as TcpSocket } from "node:net";

export interface Endpoint {
  host: string;
  port: number;
}

export interface DelayProxy {
  /** Where clients connect: the proxy's own address and port. */
  address: Endpoint;
  close(): Promise<void>;
}

/** Writes each chunk after the delay; chained so that order is kept even when timers coalesce. */
function delayedWriter(delayMs: number, write: (chunk: Buffer) => void) {
  let tail = Promise.resolve();
  return (chunk: Buffer) => {
    const due = Date.now() + delayMs;
    tail = tail
      .then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, due - Date.now()))))
      .then(() => write(chunk));
  };
}

export async function startTcpDelayProxy(
  listen: Endpoint,
  target: Endpoint,
  delayMs: number,
): Promise<DelayProxy> {
  const sockets = new Set<TcpSocket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const toUpstream = delayedWriter(delayMs, (c) => upstream.writable && upstream.write(c));
    const toClient = delayedWriter(delayMs, (c) => client.writable && client.write(c));
    client.on("data", toUpstream);
    upstream.on("data", toClient);
    client.on("end", () => setTimeout(() => upstream.end(), delayMs));
    upstream.on("end", () => setTimeout(() => client.end(), delayMs));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    address: { host: listen.host, port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startUdpDelayProxy(
  listen: Endpoint,
  target: Endpoint,
  delayMs: number,
): Promise<DelayProxy> {
  const front: Socket = createSocket(listen.host.includes(":") ? "udp6" : "udp4");
  // One upstream socket per client, so replies find their way back to the right client.
  const upstreams = new Map<string, Socket>();
  front.on("message", (msg: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let up = upstreams.get(key);
    if (!up) {
      const sock = createSocket(target.host.includes(":") ? "udp6" : "udp4");
      const back = delayedWriter(delayMs, (c) => front.send(c, from.port, from.address));
      sock.on("message", (reply: Buffer) => back(reply));
      upstreams.set(key, sock);
      up = sock;
    }
    const socket = up;
    setTimeout(() => socket.send(msg, target.port, target.host), delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.bind(listen.port, listen.host, () => resolve());
  });
  return {
    address: { host: listen.host, port: front.address().port },
    close: async () => {
      for (const s of upstreams.values()) s.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
