// One simulated router: the engine, its scheduler and its persisted state. `reboot()` drops
// everything in memory and boots again from the state directory (a power cycle).
import { Engine, type EngineOptions, type RunResult } from "./engine.ts";
import { loadState, saveState } from "./persist.ts";
import { Scheduler } from "./scheduler.ts";

export interface SimRouterOptions extends Omit<EngineOptions, "store" | "now"> {
  /** Where the configuration survives reboots; without it, a reboot keeps the memory state. */
  stateDir?: string;
  /** The clock (a fake one in tests); the real clock by default. */
  clock?: () => Date;
  /** Tick the scheduler on a real timer (servers); tests call `scheduler.tick()` themselves. */
  realTimer?: boolean;
  /** The system identity at first boot. */
  identity?: string;
}

export class SimRouter {
  engine!: Engine;
  scheduler!: Scheduler;
  readonly clock: () => Date;
  reboots = 0;
  /** Called after each reboot (the SSH server drops its connections, as a real reboot does). */
  readonly rebootListeners: (() => void)[] = [];
  private rebootPending = false;

  constructor(readonly opts: SimRouterOptions = {}) {
    this.clock = opts.clock ?? (() => new Date());
    this.boot();
    if (opts.identity && !this.opts.stateDir) this.run(`/system identity set name="${opts.identity}"`);
  }

  private boot(): void {
    const stored = this.opts.stateDir ? loadState(this.opts.stateDir) : undefined;
    const store = stored ?? this.engine?.store;
    this.engine = new Engine({ ...this.opts, store, now: this.clock });
    if (!stored && this.opts.stateDir) {
      if (this.opts.identity) this.engine.run(`/system identity set name="${this.opts.identity}"`);
      saveState(this.opts.stateDir, this.engine.store);
    }
    this.engine.onReboot = () => {
      this.rebootPending = true;
    };
    const dir = this.opts.stateDir;
    const backing = this.opts.backing;
    this.engine.onChange = () => {
      if (dir) saveState(dir, this.engine.store);
      // the real system follows the configuration (the backing skips a sync when nothing changed)
      backing?.sync(this.engine.store);
    };
    backing?.sync(this.engine.store);
    this.scheduler = new Scheduler(this.engine, this.clock);
    if (this.opts.realTimer) this.scheduler.start();
  }

  run(script: string, session?: { path: string; user?: string }): RunResult {
    const r = this.engine.run(script, session);
    if (this.rebootPending) {
      this.rebootPending = false;
      this.reboot();
    }
    return r;
  }

  /** `/system reboot`: memory is lost; the configuration comes back from the state directory. */
  reboot(): void {
    this.scheduler.stop();
    this.reboots++;
    this.boot();
    for (const l of this.rebootListeners) l();
  }

  stop(): void {
    this.scheduler.stop();
  }
}
