// A scripted stand-in for one SSH connection, for SshSession tests: each command gets a Reply
// (output, exit status, a hang, or a custom feed such as endless output), chosen from its command
// line and what it got on stdin (a script's text), and the test sees the exact command lines sent
// and what happened to each channel (stdin, closed, signals).
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
  constructor(private readonly answer: (stdin: string | undefined) => Reply) {
    super();
  }
  end(data?: string) {
    this.stdin = data;
    const reply = this.answer(data);
    // 'exit' before anyone listens: emitted, and lost, as ssh2 can do it.
    if (reply.exitEarly) this.emit("exit", reply.code);
    if (reply.feed) return reply.feed(this);
    if (reply.hang) return;
    setImmediate(() => {
      if (reply.stdout) this.emit("data", Buffer.from(reply.stdout));
      if (reply.stderr) this.stderr.emit("data", Buffer.from(reply.stderr));
      if (reply.exitEarly) return void this.emit("close", reply.code);
      if (reply.code !== undefined || reply.signal) this.emit("exit", reply.code ?? null, reply.signal);
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
  constructor(private readonly answer: (command: string, stdin: string | undefined) => Reply) {}
  async open(command: string): Promise<ExecChannel> {
    this.sent.push(command);
    const ch = new FakeChannel((stdin) => this.answer(command, stdin));
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
