// The scheduler fires on a fake clock; the configuration survives a simulated reboot.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SimRouter } from "../../sim/routeros/router.ts";

class FakeClock {
  constructor(public t: number) {}
  now = () => new Date(this.t);
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

const dirs: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ros-sim-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ok = (r: SimRouter, cmd: string) => {
  const x = r.run(cmd);
  if (!x.ok) throw new Error(`${cmd}: ${x.error}`);
  return x.output;
};

describe("/system scheduler", () => {
  it("runs on-event code at start-date/start-time, then every interval (no catching up)", () => {
    const clock = new FakeClock(Date.parse("2026-03-09T10:00:00Z"));
    const r = new SimRouter({ clock: clock.now });
    ok(
      r,
      '/system scheduler add name=tick start-date=2026-03-09 start-time=10:00:30 interval=1m on-event=":log info tick"',
    );
    expect(r.scheduler.tick()).toEqual([]);
    clock.advance(29);
    expect(r.scheduler.tick()).toEqual([]);
    clock.advance(1);
    expect(r.scheduler.tick().map((f) => f.name)).toEqual(["tick"]);
    clock.advance(59);
    expect(r.scheduler.tick()).toEqual([]);
    clock.advance(1);
    expect(r.scheduler.tick()).toHaveLength(1);
    clock.advance(600); // ten missed runs: one run now
    expect(r.scheduler.tick()).toHaveLength(1);
    expect(ok(r, ":put [/system scheduler get tick run-count]")).toBe("3\n");
    expect(r.engine.log).toEqual(["info tick", "info tick", "info tick"]);
  });

  it("runs a /system script named by on-event, and a one-shot (interval=0) only once", () => {
    const clock = new FakeClock(Date.parse("2026-03-09T10:00:00Z"));
    const r = new SimRouter({ clock: clock.now });
    ok(r, '/system script add name=mark source="/interface bridge add name=\\"marked\\""');
    ok(r, "/system scheduler add name=once start-date=2026-03-09 start-time=10:05:00 on-event=mark");
    clock.advance(300);
    expect(r.scheduler.tick().map((f) => [f.name, f.ok])).toEqual([["once", true]]);
    clock.advance(3600);
    expect(r.scheduler.tick()).toEqual([]);
    expect(ok(r, ":put [/interface bridge get marked name]")).toBe("marked\n");
    expect(ok(r, ":put [/system script get mark run-count]")).toBe("1\n");
  });

  it("a revert timer: fires after the delay unless removed first (what a driver arms on the device)", () => {
    const clock = new FakeClock(Date.parse("2026-03-09T10:00:00Z"));
    const r = new SimRouter({ clock: clock.now });
    ok(r, "/ip address add address=192.0.2.1/24 interface=ether1");
    ok(
      r,
      '/system scheduler add name=revert start-date=2026-03-09 start-time=10:03:00 interval=0 on-event="/ip address remove [find]; /system scheduler remove [find name=revert]"',
    );
    clock.advance(179);
    r.scheduler.tick();
    expect(ok(r, "/ip address print count-only")).toBe("1\n");
    clock.advance(1);
    r.scheduler.tick();
    expect(ok(r, "/ip address print count-only")).toBe("0\n");
    expect(ok(r, "/system scheduler print count-only")).toBe("0\n");
  });

  it("keeps the configuration across a reboot and runs start-time=startup items 3 s after boot", () => {
    const clock = new FakeClock(Date.parse("2026-03-09T10:00:00Z"));
    const dir = stateDir();
    const r = new SimRouter({ clock: clock.now, stateDir: dir, identity: "tower-1" });
    ok(r, "/interface wireguard add name=wg0 listen-port=13231");
    const before = ok(r, "/export show-sensitive");
    ok(r, '/system scheduler add name=boot start-time=startup on-event="/interface bridge add name=booted"');
    clock.advance(10);
    expect(r.scheduler.tick()).toEqual([]); // added after boot: waits for the next one
    r.reboot();
    expect(ok(r, ":put [/system identity get name]")).toBe("tower-1\n");
    expect(ok(r, "/export show-sensitive")).toContain(before.split("\n").slice(3, 5).join("\n"));
    clock.advance(2);
    expect(r.scheduler.tick()).toEqual([]);
    clock.advance(1);
    expect(r.scheduler.tick().map((f) => f.name)).toEqual(["boot"]);
    expect(ok(r, ":put [/interface bridge find where name=booted]")).toMatch(/^\*[0-9A-F]+\n$/);
    // a second router booted from the same directory sees the same state, ids included
    const twin = new SimRouter({ clock: clock.now, stateDir: dir });
    expect(ok(twin, ":put [/interface wireguard find]")).toBe(ok(r, ":put [/interface wireguard find]"));
  });

  it("without a state directory, a reboot keeps the memory state (no flash to lose)", () => {
    const r = new SimRouter({ identity: "edge" });
    ok(r, "/interface bridge add name=br0");
    r.reboot();
    expect(ok(r, ":put [/interface bridge get br0 name]")).toBe("br0\n");
    expect(ok(r, ":put [/system identity get name]")).toBe("edge\n");
  });
});

describe("/system reboot", () => {
  it("reboots once the command line is done: memory gone, configuration back, startup items run", () => {
    const clock = new FakeClock(Date.parse("2026-03-09T10:00:00Z"));
    const r = new SimRouter({ clock: clock.now, stateDir: stateDir() });
    ok(
      r,
      ':global counter 1; /system scheduler add name=boot start-time=startup on-event=":log info booted"',
    );
    ok(r, "/system reboot");
    expect(r.reboots).toBe(1);
    expect(ok(r, ":put $counter")).toBe("\n"); // global variables live in memory only
    expect(ok(r, ":put [/system scheduler get boot name]")).toBe("boot\n");
    clock.advance(3);
    expect(r.scheduler.tick().map((f) => f.name)).toEqual(["boot"]);
  });
});
