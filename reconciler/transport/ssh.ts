// The SSH transport: one ssh2 connection per device per run, opened on first use and shared by
// every command of the run (concurrent first callers share one connect), plus fresh connections
// for health gates. Host keys are pinned from inventory/known_hosts; credentials come from the
// environment the inventory names.
import type { Client } from "ssh2";
import { type KnownHost, parseKnownHosts } from "../load/checks/known-hosts.ts";
import { ConnectionError, type DeviceError } from "../model/errors.ts";
import type { ResolvedDevice } from "../model/repo.ts";
import { openConnection, where } from "./connect.ts";
import { authFor, type Env } from "./credentials.ts";
import { pinnedKeysFor } from "./host-keys.ts";
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
  /** ssh2's debug output per device (never contains credentials). */
  debug?: (device: string, line: string) => void;
}

const DEFAULTS = {
  commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxChannelsPerConnection: 8,
};

export class SshTransport implements Transport {
  private readonly pool = new Map<string, Promise<SshSession>>();
  private readonly fresh = new Set<SshSession>();
  private readonly opening = new Set<Promise<SshSession>>();
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
    await Promise.all([...new Set(sessions)].map((s) => s.close()));
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
    const auth = await authFor(device, this.env);
    const pins = pinnedKeysFor(this.knownHosts, device.host, device.port);
    const debug = this.opts.debug;
    const client = await openConnection(device, pins, auth, {
      keepaliveIntervalMs: this.opts.keepaliveIntervalMs,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      ...(debug ? { debug: (line: string) => debug(name, line) } : {}),
    });
    const link = new ClientLink(device, client, this.opts.maxChannelsPerConnection);
    return new SshSession(device, link, {
      commandTimeoutMs: this.opts.commandTimeoutMs,
      secrets: auth.secrets,
    });
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

  constructor(
    private readonly device: ResolvedDevice,
    private readonly client: Client,
    private readonly maxChannels: number,
  ) {
    this.closed = new Promise((resolve) => client.once("close", () => resolve()));
    client.on("error", (err: Error) =>
      this.markLost(`connection to ${where(device)} failed: ${err.message}`, err),
    );
    client.on("close", () =>
      this.markLost(
        this.closing ? "connection closed by the reconciler" : `${where(device)} closed the connection`,
      ),
    );
  }

  private markLost(message: string, cause?: unknown): void {
    if (this.lost) return;
    this.lost = new ConnectionError(message, { device: this.device.name, ...(cause ? { cause } : {}) });
    for (const cb of this.listeners) cb(this.lost);
    this.listeners.clear();
    for (const wake of this.queue.splice(0)) wake();
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
    const timer = setTimeout(() => this.client.destroy(), 3000);
    await this.closed;
    clearTimeout(timer);
  }
}
