// The SSH transport: one ssh2 connection per device per run, opened on first use and shared by
// every command of the run (concurrent first callers share one connect), plus fresh connections
// for health gates. Host keys are pinned from inventory/known_hosts; credentials come from the
// environment the inventory names.
//
// A device with `via: X` is reached through X, as OpenSSH's ProxyJump does: the pooled connection
// to X (opened first, itself through X's own via) opens a direct-tcpip channel to the device's
// host:port as X sees it, and the device's own SSH handshake runs over that channel, with its own
// pinned host key and credentials: X relays bytes it cannot read, and every hop is pinned.
// - Fresh sessions (health gates) are a new connection to the device over the pooled one to X:
//   what they prove is that the device's sshd, and the path from X to it, still work; X's own
//   reachability is proved by X's own gate.
// - A jump connection that closes or is lost takes what runs over it along (a connection cannot
//   outlive the channel carrying it); their errors say so. closeAll closes the farthest first.
// - A jump connection carries at most maxForwardsPerConnection forwarded channels (a count apart
//   from its exec channels, as OpenSSH's MaxSessions counts only sessions); one more waits for a
//   free one, at most the device's connect timeout.
import type { Duplex } from "node:stream";
import type { Client } from "ssh2";
import { AuthError, ConnectionError, type DeviceError, HostKeyError } from "../model/errors.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import { openConnection, type ScannedKey, scanHostKey, where } from "./connect.ts";
import { authFor, credentialProblems, devicesPhrase, type Env } from "./credentials.ts";
import { type PinnedKey, pinnedKeysFor } from "./host-keys.ts";
import { type KnownHost, parseKnownHosts } from "./known-hosts-file.ts";
import type { Transport } from "./session.ts";
import { bare, DEFAULT_COMMAND_TIMEOUT_MS, type ExecChannel, type Link, SshSession } from "./ssh-session.ts";

export interface SshTransportOptions {
  /** Where credentials are read from (SSH_AUTH_SOCK, key_file_env, password_env). Default: process.env. */
  env?: Env;
  /** Per-command timeout unless RunOptions.timeoutMs says otherwise. Default 60 s. */
  commandTimeoutMs?: number;
  /** SSH keepalive interval; 0 disables. Default 15 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before a connection is declared dead. Default 3. */
  keepaliveCountMax?: number;
  /** Concurrent exec channels per connection (OpenSSH's MaxSessions is 10). Default 8. */
  maxChannelsPerConnection?: number;
  /** Forwarded channels (devices reached through it by `via`) per connection. Default 64. */
  maxForwardsPerConnection?: number;
  /** ssh2's debug output per device (never contains credentials). */
  debug?: (device: string, line: string) => void;
}

const DEFAULTS = {
  commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxChannelsPerConnection: 8,
  maxForwardsPerConnection: 64,
};

export class SshTransport implements Transport {
  private readonly pool = new Map<string, Promise<SshSession>>();
  private readonly fresh = new Set<SshSession>();
  private readonly opening = new Set<Promise<SshSession>>();
  /** Each session's connection: a device reached through another forwards over its jump's. */
  private readonly links = new WeakMap<SshSession, ClientLink>();
  private readonly env: Env;
  private readonly opts: typeof DEFAULTS & Pick<SshTransportOptions, "debug">;

  constructor(
    private readonly devices: Readonly<Record<string, ResolvedDevice>>,
    private readonly knownHosts: readonly KnownHost[],
    options: SshTransportOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.opts = {
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      maxChannelsPerConnection: options.maxChannelsPerConnection ?? DEFAULTS.maxChannelsPerConnection,
      maxForwardsPerConnection: options.maxForwardsPerConnection ?? DEFAULTS.maxForwardsPerConnection,
      ...(options.debug ? { debug: options.debug } : {}),
    };
  }

  session(device: string): Promise<SshSession> {
    const existing = this.pool.get(device);
    if (existing) return existing;
    const forget = () => {
      if (this.pool.get(device) === opening) this.pool.delete(device);
    };
    const opening: Promise<SshSession> = this.open(device).then(
      (s) => {
        // A lost connection is dropped from the pool: the next session() reconnects.
        s.onConnectionLost(forget);
        return s;
      },
      (err) => {
        forget();
        throw err;
      },
    );
    this.pool.set(device, opening);
    return opening;
  }

  async freshSession(device: string): Promise<SshSession> {
    const s = await this.open(device);
    this.fresh.add(s);
    s.onConnectionLost(() => this.fresh.delete(s));
    return s;
  }

  async closeAll(): Promise<void> {
    const pending = [...this.pool.values(), ...this.opening];
    this.pool.clear();
    const sessions = (await Promise.allSettled(pending))
      .filter((r): r is PromiseFulfilledResult<SshSession> => r.status === "fulfilled")
      .map((r) => r.value);
    sessions.push(...this.fresh);
    this.fresh.clear();
    // Farthest first: a jump closed under the devices reached through it would cut them off
    // mid-goodbye (they would be lost rather than closed).
    const byDepth = new Map<number, SshSession[]>();
    for (const s of new Set(sessions)) {
      const depth = this.chain(s.device).length;
      byDepth.set(depth, [...(byDepth.get(depth) ?? []), s]);
    }
    for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
      await Promise.all((byDepth.get(depth) ?? []).map((s) => s.close()));
    }
  }

  /**
   * Credentials and pinned host keys for `names` and every jump on their way, checked without a
   * connection: what is missing is said once, before any device is contacted.
   */
  async preflight(names: readonly string[]): Promise<string[]> {
    const all = [...new Set(names.flatMap((n) => [n, ...this.chain(n)]))];
    const devices = all.flatMap((n) => this.devices[n] ?? []);
    const problems = await credentialProblems(devices, this.env);
    if (this.knownHosts.length === 0 && devices.length > 0)
      problems.push(
        `inventory/known_hosts pins no host key, so no device can be trusted (needed for ${devicesPhrase(all, all.length)}): record each device's key with \`reconciler trust DEVICE\` and review it`,
      );
    return problems;
  }

  /**
   * The devices `name` is reached through, nearest first (["core-1", "edge-1"] for a tower behind
   * core-1 behind edge-1). The loader refuses unknown names and loops; a transport built from
   * anything else gets the same refusal here rather than a connection waiting on itself.
   */
  private chain(name: string): string[] {
    const hops: string[] = [];
    for (let cur = this.devices[name]?.via; cur !== undefined; cur = this.devices[cur]?.via) {
      if (cur === name || hops.includes(cur)) {
        throw new ConnectionError(`the via chain of ${name} loops back to ${cur}`, { device: name });
      }
      if (!this.devices[cur]) {
        throw new ConnectionError(`via names ${JSON.stringify(cur)}, which is not in the inventory`, {
          device: name,
        });
      }
      hops.push(cur);
    }
    return hops;
  }

  /**
   * The host key `name` presents (for `reconciler trust`), without authenticating to it. A device
   * behind a jump is scanned over a channel of the jump's own pinned, authenticated connection:
   * an unpinned jump is refused, so a key is never learnt through a hop nobody reviewed.
   */
  async scanHostKey(name: string, prefer: readonly PinnedKey[] = []): Promise<ScannedKey> {
    const device = this.devices[name];
    if (!device) throw new Error(`unknown device ${JSON.stringify(name)}: not in the inventory`);
    const debug = this.opts.debug;
    const debugLine = debug ? (line: string) => debug(name, line) : undefined;
    const jumpName = this.chain(name)[0];
    if (jumpName === undefined) return scanHostKey(device, prefer, debugLine);
    const hop = (err: unknown) => {
      throw throughError(device, jumpName, err);
    };
    const jump = await this.session(jumpName).catch(hop);
    const jumpLink = this.links.get(jump);
    if (!jumpLink) throw new Error(`no connection behind the session of ${jumpName}`);
    const channel = await jumpLink
      .forward(device.host, device.port, device.connectTimeoutS * 1000)
      .catch(hop);
    try {
      return await scanHostKey(device, prefer, debugLine, channel).catch(hop);
    } finally {
      channel.destroy();
    }
  }

  private open(name: string): Promise<SshSession> {
    const p = this.connect(name);
    this.opening.add(p);
    const done = () => this.opening.delete(p);
    p.then(done, done);
    return p;
  }

  private async connect(name: string): Promise<SshSession> {
    const device = this.devices[name];
    if (!device) throw new Error(`unknown device ${JSON.stringify(name)}: not in the inventory`);
    const jumpName = this.chain(name)[0];
    const auth = await authFor(device, this.env);
    const pins = pinnedKeysFor(this.knownHosts, device.host, device.port);
    const debug = this.opts.debug;
    const options = {
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      ...(debug ? { debug: (line: string) => debug(name, line) } : {}),
    };
    let client: Client;
    let through: { name: string; link: ClientLink; channel: Duplex } | undefined;
    if (jumpName === undefined) {
      client = await openConnection(device, pins, auth, options);
    } else {
      const hop = (err: unknown) => throughError(device, jumpName, err);
      const jump = await this.session(jumpName).catch((err: unknown) => {
        throw hop(err);
      });
      const jumpLink = this.links.get(jump);
      if (!jumpLink) throw new Error(`no connection behind the session of ${jumpName}`);
      const channel = await jumpLink
        .forward(device.host, device.port, device.connectTimeoutS * 1000)
        .catch((err: unknown) => {
          throw hop(err);
        });
      client = await openConnection(device, pins, auth, { ...options, sock: channel }).catch(
        (err: unknown) => {
          // The handshake failed: the channel may still be open on the jump.
          channel.destroy();
          throw hop(err);
        },
      );
      through = { name: jumpName, link: jumpLink, channel };
    }
    const link = new ClientLink(device, client, this.opts.maxChannelsPerConnection, this.opts, through);
    const session = new SshSession(device, link, {
      commandTimeoutMs: this.opts.commandTimeoutMs,
      secrets: auth.secrets,
    });
    this.links.set(session, link);
    return session;
  }
}

/**
 * A transport from the text of inventory/known_hosts (lines the loader reports as unreadable pin
 * nothing: their devices are refused as unknown).
 */
export function openSshTransport(
  devices: Readonly<Record<string, ResolvedDevice>>,
  knownHostsText: string,
  options: SshTransportOptions = {},
): SshTransport {
  return new SshTransport(devices, parseKnownHosts("inventory/known_hosts", knownHostsText).entries, options);
}

/**
 * An error on the way to `device` through `jump`, of the same kind (a host key refused at any hop
 * stays a HostKeyError), attributed to `device`, and saying which hop failed: the jump's own
 * errors carry its name ("connecting to tower-1 through core-1: core-1: ..."), the device's
 * refer to it.
 */
function throughError(device: ResolvedDevice, jump: string, err: unknown): DeviceError | Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const fromJump = "device" in err && err.device === jump;
  const what = fromJump || !("device" in err) ? err.message : bare(err as DeviceError);
  const message = `connecting to ${device.name} through ${jump}: ${what}`;
  const details = { device: device.name, cause: err };
  if (err instanceof HostKeyError) {
    return new HostKeyError(message, details, err.expectedFingerprints, err.actualFingerprint);
  }
  if (err instanceof AuthError) return new AuthError(message, details);
  return new ConnectionError(message, details);
}

/** Retries of a refused channel (backoff 20 ms doubling: about 2.5 s in all). */
const CHANNEL_RETRIES = 7;
class ChannelRefused extends Error {}

/** One authenticated ssh2 connection: bounded concurrent channels, loss notification, close. */
class ClientLink implements Link {
  private lost: DeviceError | undefined;
  private closing = false;
  private readonly listeners = new Set<(err: DeviceError) => void>();
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly closed: Promise<void>;
  private forwards = 0;
  private readonly forwardQueue: (() => void)[] = [];

  constructor(
    private readonly device: ResolvedDevice,
    private readonly client: Client,
    private readonly maxChannels: number,
    private readonly limits: { maxForwardsPerConnection: number },
    /** The jump this connection runs over (a channel of its connection), if any. */
    private readonly through?: { name: string; link: ClientLink; channel: Duplex },
  ) {
    this.closed = new Promise((resolve) => client.once("close", () => resolve()));
    client.on("error", (err: Error) =>
      this.markLost(`connection to ${where(device)} failed: ${err.message}`, err),
    );
    client.on("close", () => {
      this.markLost(
        this.closing ? "connection closed by the reconciler" : `${where(device)} closed the connection`,
      );
      // ssh2 half-closes its socket on end(): close the carrying channel outright so that the
      // jump frees it at once.
      through?.channel.destroy();
    });
    if (through) {
      // Lost before this connection notices by itself (the channel's close may come later, or
      // never, when the jump's connection hangs): named after the hop that broke.
      const unsubscribe = through.link.onLost((err) => {
        this.markLost(`connection through ${through.name} lost: ${bare(err)}`, err);
        client.destroy();
        through.channel.destroy();
      });
      client.once("close", unsubscribe);
    }
  }

  /**
   * A direct-tcpip channel from this connection's device to host:port (as that device resolves
   * and reaches it), waiting at most `timeoutMs` for a free forward slot and for the device to
   * open it.
   */
  async forward(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    const target = where({ host, port });
    const deadline = Date.now() + timeoutMs;
    while (this.forwards >= this.limits.maxForwardsPerConnection && !this.lost) {
      const left = deadline - Date.now();
      const freed = await new Promise<boolean>((wake) => {
        const timer = setTimeout(
          () => {
            const i = this.forwardQueue.indexOf(woken);
            if (i >= 0) this.forwardQueue.splice(i, 1);
            wake(false);
          },
          Math.max(0, left),
        );
        const woken = () => {
          clearTimeout(timer);
          wake(true);
        };
        this.forwardQueue.push(woken);
      });
      if (!freed) {
        throw new ConnectionError(
          `already carries ${this.limits.maxForwardsPerConnection} forwarded connections (its limit), ` +
            `and none was freed within ${timeoutMs / 1000} s`,
          { device: this.device.name },
        );
      }
    }
    if (this.lost) throw this.lost;
    this.forwards++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.forwards--;
      this.forwardQueue.shift()?.();
    };
    return new Promise<Duplex>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        release();
        reject(new ConnectionError(message, { device: this.device.name }));
      };
      const timer = setTimeout(
        () => fail(`did not open a channel to ${target} within ${timeoutMs / 1000} s`),
        Math.max(0, deadline - Date.now()),
      );
      try {
        this.client.forwardOut("127.0.0.1", 0, host, port, (err, channel) => {
          if (err) return fail(`cannot open a channel to ${target}: ${err.message.replace(/^\(SSH\) /, "")}`);
          channel.once("close", release);
          if (settled) {
            // Timed out meanwhile: nobody will use it.
            channel.destroy();
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve(channel);
        });
      } catch (err) {
        fail(`cannot open a channel to ${target}: ${(err as Error).message}`);
      }
    });
  }

  private markLost(message: string, cause?: unknown): void {
    if (this.lost) return;
    this.lost = new ConnectionError(message, { device: this.device.name, ...(cause ? { cause } : {}) });
    for (const cb of this.listeners) cb(this.lost);
    this.listeners.clear();
    for (const wake of this.queue.splice(0)) wake();
    for (const wake of this.forwardQueue.splice(0)) wake();
  }

  onLost(cb: (err: DeviceError) => void): () => void {
    if (this.lost) {
      cb(this.lost);
      return () => {};
    }
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /**
   * Opens an exec channel, waiting for a free one of maxChannels. A refused channel is retried with
   * backoff: a server counts a session until it has reaped it, a moment after the client saw the
   * channel close, so a burst of commands can briefly exceed its limit (OpenSSH's MaxSessions).
   */
  async open(command: string): Promise<ExecChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.openOnce(command);
      } catch (err) {
        if (!(err instanceof ChannelRefused) || attempt >= CHANNEL_RETRIES || this.lost) {
          throw new ConnectionError(
            `${where(this.device)} refused a command channel: ${(err as Error).message}`,
            {
              device: this.device.name,
            },
          );
        }
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }

  private async openOnce(command: string): Promise<ExecChannel> {
    while (this.active >= this.maxChannels && !this.lost) {
      await new Promise<void>((wake) => this.queue.push(wake));
    }
    if (this.lost) throw new Error(bare(this.lost));
    this.active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active--;
      this.queue.shift()?.();
    };
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, ch) => {
        if (err) {
          release();
          reject(new ChannelRefused(err.message));
          return;
        }
        ch.once("close", release);
        resolve(ch);
      });
    });
  }

  async close(): Promise<void> {
    if (this.lost && this.closing) return this.closed;
    this.closing = true;
    if (this.lost) this.client.destroy();
    else this.client.end();
    const timer = setTimeout(() => {
      this.client.destroy();
      // A client over a half-closed channel may not see its own close otherwise.
      this.through?.channel.destroy();
    }, 3000);
    await this.closed;
    clearTimeout(timer);
  }
}
