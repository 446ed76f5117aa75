// A scripted stand-in for one SSH connection, for SshSession tests: each command gets a Reply
// (output, exit status, a hang, or a custom feed such as endless output), and the test sees the
// exact command lines sent and what happened to each channel (closed, signals).
import { EventEmitter } from "node:events";
import { ConnectionError, type DeviceError } from "../../../reconciler/model/errors.ts";
import type { ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { type ExecChannel, type Link, SshSession } from "../../../reconciler/transport/ssh-session.ts";

export interface Reply {
  stdout?: string;
  stderr?: string;
  code?: number | null;
  signal?: string;
  /** never answer (for timeouts) */
  hang?: boolean;
  /** like ssh2 can: 'exit' before anyone listens, the status repeated as arguments of 'close' */
  exitEarly?: boolean;
  /** drives the channel instead of the fields above (called when the session ends stdin) */
  feed?: (ch: FakeChannel) => void;
}

export class FakeChannel extends EventEmitter implements ExecChannel {
  stderr = new EventEmitter();
  stdin: string | undefined;
  closed = false;
  signals: string[] = [];
  constructor(private readonly reply: Reply) {
    super();
    if (reply.exitEarly) this.emit("exit", reply.code);
  }
  end(data?: string) {
    this.stdin = data;
    if (this.reply.feed) return this.reply.feed(this);
    if (this.reply.hang) return;
    setImmediate(() => {
      if (this.reply.stdout) this.emit("data", Buffer.from(this.reply.stdout));
      if (this.reply.stderr) this.stderr.emit("data", Buffer.from(this.reply.stderr));
      if (this.reply.exitEarly) return void this.emit("close", this.reply.code);
      if (this.reply.code !== undefined || this.reply.signal)
        this.emit("exit", this.reply.code ?? null, this.reply.signal);
      this.emit("close");
    });
  }
  close() {
    this.closed = true;
  }
  signal(name: string) {
    this.signals.push(name);
  }
}

export class FakeLink implements Link {
  sent: string[] = [];
  channels: FakeChannel[] = [];
  private lostCbs = new Set<(err: DeviceError) => void>();
  constructor(private readonly answer: (command: string) => Reply) {}
  async open(command: string): Promise<ExecChannel> {
    this.sent.push(command);
    const ch = new FakeChannel(this.answer(command));
    this.channels.push(ch);
    return ch;
  }
  onLost(cb: (err: DeviceError) => void) {
    this.lostCbs.add(cb);
    return () => this.lostCbs.delete(cb);
  }
  lose() {
    for (const cb of this.lostCbs) cb(new ConnectionError("gone", { device: "r1" }));
  }
  async close() {}
}

export const device = (over: Partial<ResolvedDevice> = {}): ResolvedDevice => ({
  name: "r1",
  platform: "debian",
  host: "198.51.100.1",
  port: 22,
  user: "root",
  credentials: { agent: true },
  sudo: false,
  connectTimeoutS: 5,
  groups: [],
  labels: {},
  vars: {},
  ...over,
});

export const session = (link: Link, over: Partial<ResolvedDevice> = {}, secrets: string[] = []) =>
  new SshSession(device(over), link, { commandTimeoutMs: 5000, secrets });
