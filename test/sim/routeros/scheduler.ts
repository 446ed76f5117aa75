// /system scheduler, firing for real against an injectable clock (help.mikrotik.com "Scheduler"):
// - start-time=startup: runs 3 seconds after the system starts (only items present at boot);
// - start-date/start-time with interval: runs at start + k×interval; interval=0: once at start;
// - on-event: the name of a /system script (run), or code to run; run-count counts the runs.
// Missed runs are not caught up: one run per due tick.
import type { Engine } from "./engine.ts";
import { parseTime } from "./values.ts";

export interface Fired {
  name: string;
  at: Date;
  ok: boolean;
  error?: string;
}

export class Scheduler {
  readonly boot: number;
  readonly fired: Fired[] = [];
  private readonly lastRun = new Map<number, number>();
  private readonly seen = new Map<number, number>();
  private readonly atBoot = new Set<number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly clock: () => Date,
  ) {
    this.boot = clock().getTime();
    for (const item of engine.store.list("system scheduler")) {
      this.seen.set(item.id, this.boot);
      this.atBoot.add(item.id);
    }
    engine.onSchedulerChange = () => this.notice();
  }

  private notice(): void {
    const now = this.clock().getTime();
    for (const item of this.engine.store.list("system scheduler"))
      if (!this.seen.has(item.id)) this.seen.set(item.id, now);
  }

  /** When the item is next due (ms), or undefined. */
  nextRun(id: number): number | undefined {
    const item = this.engine.store.byId("system scheduler", id);
    if (!item || item.values.disabled === "yes") return undefined;
    const interval = (parseTime(item.values.interval ?? "0s") ?? 0) * 1000;
    const last = this.lastRun.get(id);
    if ((item.values["start-time"] ?? "startup") === "startup") {
      if (last === undefined) return this.atBoot.has(id) ? this.boot + 3000 : undefined;
      return interval > 0 ? last + interval : undefined;
    }
    const date = item.values["start-date"] ?? new Date(this.boot).toISOString().slice(0, 10);
    const start = Date.parse(`${date}T${item.values["start-time"]}Z`);
    if (Number.isNaN(start)) return undefined;
    const after = last ?? this.seen.get(id) ?? this.boot;
    if (start > after) return start;
    if (interval <= 0) return undefined;
    return start + (Math.floor((after - start) / interval) + 1) * interval;
  }

  /** Runs whatever is due now; returns what fired. Call it after moving a fake clock. */
  tick(): Fired[] {
    this.notice();
    const now = this.clock().getTime();
    const out: Fired[] = [];
    for (const item of [...this.engine.store.list("system scheduler")]) {
      const due = this.nextRun(item.id);
      if (due === undefined || due > now) continue;
      this.lastRun.set(item.id, now);
      item.values["run-count"] = String(Number(item.values["run-count"] ?? 0) + 1);
      const event = item.values["on-event"] ?? "";
      const script = this.engine.store.list("system script").find((s) => s.values.name === event);
      const code = script ? `/system script run "${event.replace(/["\\$]/g, (c) => `\\${c}`)}"` : event;
      const r = this.engine.run(code, { path: "", user: item.values.owner ?? "admin" });
      const f: Fired = { name: item.values.name ?? "", at: new Date(now), ok: r.ok, error: r.error };
      if (!r.ok) this.engine.log.push(`scheduler ${item.values.name}: ${r.error}`);
      out.push(f);
      this.fired.push(f);
    }
    return out;
  }

  /** Ticks every `ms` on the real clock (the SSH server's routers). */
  start(ms = 1000): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
