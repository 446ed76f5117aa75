// A toy device for the driver contract: a line-oriented CLI with a candidate datastore and a
// native commit-confirm, in the manner of the vendor CLIs the command-shaped drivers target. Not a
// real platform (it ships nowhere); it exists to prove that a command-shaped candidate flows
// through plan, apply and the contract suite. It keeps state, validates what a real device would
// refuse, and reverts an unconfirmed commit by itself.
//
// Running configuration, one item a line, sorted:
//   interface <name> mtu <68..9216>
//   interface <name> address <ipv4>/<len>
//   secret <name> <value>            (shown as "secret <name> (hidden)" with hide-sensitive)
//   banner <text>
// Commands (one per line):
//   show running [hide-sensitive] | lock <run> | unlock <run> | unlock-stale <run>
//   candidate <run> begin | candidate <run> set|delete <item> | candidate <run> validate
//   candidate <run> discard | commit <run> confirmed <seconds> | confirm <run> | rollback <run>

const RUN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ToyDevice {
  running: string[] = [];
  private lockedBy: string | undefined;
  private candidates = new Map<string, string[]>();
  private pending: { run: string; previous: string[]; timer: NodeJS.Timeout } | undefined;
  /** Every line received, for tests that count or inspect them. */
  readonly received: string[] = [];

  constructor(initial: string[] = []) {
    this.running = [...initial].sort();
  }

  /** Executes one command line; returns what the device prints, or throws a DeviceRefusal. */
  exec(line: string): string {
    this.received.push(line);
    const w = line.trim().split(/\s+/);
    const run = w[1] ?? "";
    switch (w[0]) {
      case "show":
        if (w[1] !== "running") break;
        return `${this.running
          .map((l) => (w[2] === "hide-sensitive" ? l.replace(/^(secret \S+) .*$/, "$1 (hidden)") : l))
          .join("\n")}\n`;
      case "lock":
        this.needRun(run);
        if (this.lockedBy && this.lockedBy !== run) throw new DeviceRefusal(`locked by ${this.lockedBy}`);
        this.lockedBy = run;
        return "locked\n";
      case "unlock":
        this.needRun(run);
        if (this.lockedBy === run) this.lockedBy = undefined;
        return "ok\n";
      case "unlock-stale":
        this.needRun(run);
        if (!this.lockedBy) return "not locked\n";
        if (this.lockedBy !== run) throw new DeviceRefusal(`locked by ${this.lockedBy}`);
        if (this.pending?.run === run) throw new DeviceRefusal(`run ${run} has an unconfirmed commit`);
        this.lockedBy = undefined;
        return "released\n";
      case "candidate":
        return this.candidate(run, w.slice(2));
      case "commit": {
        this.needLock(run);
        const seconds = Number(w[3]);
        if (w[2] !== "confirmed" || !Number.isInteger(seconds) || seconds < 1) break;
        const c = this.candidates.get(run);
        if (!c) throw new DeviceRefusal("no candidate");
        const problems = validate(c);
        if (problems.length > 0) throw new DeviceRefusal(problems.join("; "));
        const previous = this.running;
        this.running = [...c].sort();
        this.candidates.delete(run);
        const timer = setTimeout(() => {
          // Not confirmed in time: back to what ran before, and the dead run's lock is freed.
          this.running = previous;
          this.pending = undefined;
          if (this.lockedBy === run) this.lockedBy = undefined;
        }, seconds * 1000);
        timer.unref();
        this.pending = { run, previous, timer };
        return "committed; confirm within the timeout\n";
      }
      case "confirm":
        if (this.pending?.run !== run) throw new DeviceRefusal("nothing to confirm");
        clearTimeout(this.pending.timer);
        this.pending = undefined;
        return "confirmed\n";
      case "rollback":
        if (this.pending?.run !== run) return "nothing to roll back\n";
        clearTimeout(this.pending.timer);
        this.running = this.pending.previous;
        this.pending = undefined;
        return "rolled back\n";
    }
    throw new DeviceRefusal(`syntax error: ${line.slice(0, 80)}`);
  }

  private candidate(run: string, rest: string[]): string {
    this.needLock(run);
    const verb = rest[0];
    if (verb === "begin") {
      this.candidates.set(run, [...this.running]);
      return "ok\n";
    }
    const c = this.candidates.get(run);
    if (verb === "discard") {
      this.candidates.delete(run);
      return "ok\n";
    }
    if (!c) throw new DeviceRefusal("no candidate: begin first");
    if (verb === "validate") {
      const problems = validate(c);
      if (problems.length > 0) throw new DeviceRefusal(problems.join("; "));
      return "valid\n";
    }
    const item = rest.slice(1).join(" ");
    if (verb === "set") {
      if (!/^(interface \S+ (mtu|address) \S+|banner .+)$/.test(item))
        throw new DeviceRefusal(`bad item: ${item}`);
      // One mtu per interface: setting it replaces the old one.
      const mtu = /^interface (\S+) mtu /.exec(item);
      const kept = mtu ? c.filter((l) => !l.startsWith(`interface ${mtu[1]} mtu `)) : c;
      this.candidates.set(run, [...new Set([...kept, item])]);
      return "ok\n";
    }
    if (verb === "delete") {
      if (!c.includes(item)) throw new DeviceRefusal(`no such item: ${item}`);
      this.candidates.set(
        run,
        c.filter((l) => l !== item),
      );
      return "ok\n";
    }
    throw new DeviceRefusal(`syntax error: candidate ${rest.join(" ").slice(0, 80)}`);
  }

  private needRun(run: string): void {
    if (!RUN.test(run)) throw new DeviceRefusal(`bad run id: ${run.slice(0, 80)}`);
  }

  private needLock(run: string): void {
    this.needRun(run);
    if (this.lockedBy !== run) throw new DeviceRefusal(`not locked by ${run}`);
  }
}

/** What the device refuses, as a real one would: MTUs it cannot carry, malformed addresses. */
function validate(items: readonly string[]): string[] {
  const problems: string[] = [];
  for (const l of items) {
    const mtu = /^interface \S+ mtu (\S+)$/.exec(l);
    if (mtu && !(Number(mtu[1]) >= 68 && Number(mtu[1]) <= 9216))
      problems.push(`${l}: mtu out of range 68..9216`);
    const addr = /^interface \S+ address (\S+)$/.exec(l);
    if (addr && !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(addr[1] ?? ""))
      problems.push(`${l}: not an IPv4 address`);
  }
  return problems;
}

export class DeviceRefusal extends Error {}
