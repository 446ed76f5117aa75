// The production revert timer, run for real: a Debian 12 router booted with systemd
// (test/lab/systemd/systemd-router.sh, systemd-nspawn in the namespace rsd-router), driven by the
// Debian ApplyDriver over the real SSH transport. Where systemd runs, arm starts the timer as the
// transient unit reconciler-revert-<runId>; the lab's other routers have no systemd and run the
// setsid branch. The router's logind kills every process of an SSH session when it ends
// (KillUserProcesses=yes), which is why the unit exists: the tests show a setsid process of the
// arming session killed while the unit lives on and reverts the device by itself.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ApplyContext } from "../../reconciler/drivers/apply-contract.ts";
import { debianApply, debianDriver } from "../../reconciler/drivers/debian/driver.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import type { SshTransport } from "../../reconciler/transport/ssh.ts";
import { armOf, stagedOf } from "../helpers/apply-driver.ts";
import { poll as pollEvery } from "../helpers/poll.ts";
import {
  DEVICE_NAME,
  type SystemdRouter,
  systemdRouterBuild,
  systemdRouterDown,
  systemdRouterUp,
} from "./systemd/systemd-router.ts";

const poll = <T>(what: string, ms: number, f: () => Promise<T | undefined>) => pollEvery(what, ms, f, 300);

const TIMEOUT_S = 8;
const RUNS = "/var/lib/reconciler/runs";
const NOTICES = "/var/lib/reconciler/notices";
let router: SystemdRouter;
let seq = 0;
const newRunId = () => `sd${Date.now()}-${++seq}`;
const unitOf = (runId: string) => `reconciler-revert-${runId}.service`;

/** A bridge with an address and a bird OSPF instance on it: files and running state both change. */
const INTENT: DeviceIntent = {
  routing_daemon: "bird",
  interfaces: [{ name: "br-sd", kind: "bridge", addresses: ["192.0.2.1/32"] }],
  ospf: {
    router_id: "192.0.2.1",
    instances: [
      {
        name: "core",
        version: 2,
        areas: [{ id: "0.0.0.0", interfaces: [{ name: "br-sd", passive: true }] }],
      },
    ],
  },
};

/** INTENT with the bridge's address changed: a change on top of a confirmed INTENT. */
const OTHER: DeviceIntent = {
  ...INTENT,
  interfaces: [{ name: "br-sd", kind: "bridge", addresses: ["192.0.2.9/32"] }],
};

const ctxOf = (runId: string, intent: DeviceIntent): ApplyContext => ({
  runId,
  device: router.device,
  intent,
  env: {},
});

async function sh(script: string): Promise<string> {
  const r = await router.sh(script);
  if (r.exitCode !== 0)
    throw new Error(`on ${DEVICE_NAME} (status ${r.exitCode}): ${script}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * What a revert must put back, read over a new connection: the managed files (hash, mode, owner,
 * mtime; absent ones named), the links and IPv4 addresses, and bird's protocols with their state.
 */
async function deviceState(): Promise<string> {
  return sh(
    [
      "for f in /etc/bird/bird.conf /etc/network/interfaces.d/reconciler /etc/sysctl.d/90-reconciler.conf /etc/frr/frr.conf; do",
      `  if [ -f "$f" ]; then echo "$(sha256sum < "$f") $(stat -c '%a %U:%G %Y' "$f") $f"; else echo "absent $f"; fi`,
      "done",
      "ip -o link show | awk -F': ' '{ sub(/@.*/, \"\", $2); print \"link\", $2 }' | sort",
      "ip -o -4 addr show | awk '{ print \"addr\", $2, $4 }' | sort",
      "birdc show protocols | awk 'NR > 2 && NF >= 4 { print \"bird\", $1, $2, $4 }' | sort",
    ].join("\n"),
  );
}

/** stage + arm + commit of INTENT over the transport's shared connection; returns that session. */
async function applyUnconfirmed(t: SshTransport, runId: string, intent: DeviceIntent = INTENT) {
  const s = await t.session(DEVICE_NAME);
  const ctx = ctxOf(runId, intent);
  await debianApply.lock(s, ctx);
  const live = await debianDriver.read(s, ctx.device);
  const rendered = debianDriver.candidate(ctx.intent, ctx.device, live);
  const staged = await debianApply.stage(s, ctx, rendered, live);
  // Before the call: the timer starts during it, so its deadline is at most TIMEOUT_S after this.
  const armedAt = Date.now();
  await armOf(debianApply)(s, ctx, staged, TIMEOUT_S);
  await debianApply.commit(s, ctx, staged, 300);
  return { s, ctx, staged, armedAt };
}

/** systemctl show of the run's unit: LoadState, ActiveState, MainPID, ControlGroup. */
async function unitProps(runId: string): Promise<Record<string, string>> {
  const out = await sh(
    `systemctl show -p LoadState,ActiveState,SubState,MainPID,ControlGroup ${unitOf(runId)}`,
  );
  return Object.fromEntries(
    out
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let upError: unknown;
beforeAll(async () => {
  try {
    // Once per machine (cached); a no-op when the cached root filesystem is current.
    await systemdRouterBuild();
    // Removes what an earlier run left (namespace, container, mounts), then boots; throws if it cannot.
    router = await systemdRouterUp();
    const running = await router.sh("systemctl is-system-running --wait");
    if (!/^(running|degraded)/.test(running.stdout))
      throw new Error(`systemd in ${DEVICE_NAME} is ${running.stdout.trim()}; console:\n${router.console()}`);
  } catch (e) {
    upError = e;
  }
}, 900_000);
// vitest reports the tests after a failed beforeAll as skipped: make each of them fail instead.
beforeEach(() => {
  if (upError) throw upError;
});

afterAll(async () => {
  await systemdRouterDown(router);
}, 60_000);

describe("the revert timer on a router where systemd runs", () => {
  it("the router runs systemd, and logind kills what an SSH session leaves behind", async () => {
    expect((await sh("ps -p 1 -o comm=")).trim()).toBe("systemd");
    expect((await sh("systemctl is-system-running")).trim()).toBe("running");
    expect(await sh("cat /proc/self/cgroup")).toMatch(/session-\d+\.scope/);
    expect(
      (
        await sh(
          "busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses",
        )
      ).trim(),
    ).toBe("b true");
  });

  it("never confirmed: the transient unit outlives the SSH session and reverts files and running state by itself", async () => {
    const runId = newRunId();
    const run = `${RUNS}/${runId}`;
    const before = await deviceState();
    expect(before).toContain("absent /etc/network/interfaces.d/reconciler");

    const t = router.transport();
    const { s, armedAt } = await applyUnconfirmed(t, runId);

    // Armed: the timer is the unit's main process, in the unit's own cgroup, not in the session.
    const timerPid = (await sh(`cat ${run}/timer.pid`)).trim();
    expect(timerPid).toMatch(/^\d+$/);
    const props = await unitProps(runId);
    expect(props).toMatchObject({
      LoadState: "loaded",
      ActiveState: "active",
      MainPID: timerPid,
      ControlGroup: `/system.slice/${unitOf(runId)}`,
    });
    expect(await sh(`cat /proc/${timerPid}/cgroup`)).toContain(`/system.slice/${unitOf(runId)}`);

    // The change is live.
    const changed = await deviceState();
    expect(changed).not.toBe(before);
    expect(changed).toContain("link br-sd");
    expect(changed).toContain("addr br-sd 192.0.2.1/32");
    expect(changed).toMatch(/bird core OSPF up/);

    // A control: a process the arming session detaches with setsid, as the branch without systemd
    // does. Then the reconciler goes away: the connection that armed is closed.
    const control = await s.sh("setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!");
    const controlPid = control.stdout.trim();
    expect(controlPid).toMatch(/^\d+$/);
    expect(await sh(`cat /proc/${controlPid}/cgroup`)).toMatch(/session-\d+\.scope/);
    await t.closeAll();

    // logind ends the session and kills what is left in it; the unit is not in it and lives on.
    await poll("logind to kill the setsid process of the closed session", 5_000, async () =>
      (await router.sh(`kill -0 ${controlPid}`)).exitCode !== 0 ? true : undefined,
    );
    const survived = await sh(
      `kill -0 ${timerPid} && echo alive; systemctl is-active ${unitOf(runId)}; [ -e ${run}/armed ] && echo still-armed; true`,
    );
    expect(Date.now() - armedAt, "the checks took longer than the revert timeout").toBeLessThan(
      TIMEOUT_S * 1000,
    );
    expect(survived.split("\n")).toEqual(["alive", "active", "still-armed", ""]);

    // The timer fires: files byte-identical and running state as before, a notice, the lock freed.
    await poll("the device to revert by itself", (TIMEOUT_S + 30) * 1000, async () =>
      (await router.sh(`[ -e ${run}/reverted ] && [ -f ${NOTICES}/${runId} ]`)).exitCode === 0
        ? true
        : undefined,
    );
    expect(Date.now() - armedAt).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(await deviceState()).toBe(before);
    expect(await sh(`cat ${NOTICES}/${runId}`)).toMatch(
      new RegExp(
        `^run ${runId} was not confirmed within ${TIMEOUT_S} s: the device reverted by itself at \\S+Z\\n$`,
      ),
    );
    expect((await router.sh("[ -e /var/lib/reconciler/lock ]")).exitCode).not.toBe(0);

    // It ran as that unit under systemd (the journal says so), and the unit is gone (--collect).
    const journal = await sh(`journalctl --no-pager -o cat -u ${unitOf(runId)}`);
    expect(journal).toMatch(new RegExp(`Started ${unitOf(runId).replace(/\./g, "\\.")}`));
    expect(journal).toMatch(/Deactivated successfully|Succeeded/);
    await poll("the unit to be collected", 5_000, async () =>
      (await unitProps(runId)).LoadState === "not-found" ? true : undefined,
    );
  }, 120_000);

  it("confirmed: the unit is stopped and gone, and the change stays past the timeout", async () => {
    const runId = newRunId();
    const run = `${RUNS}/${runId}`;
    const before = await deviceState();
    const t = router.transport();
    try {
      const { s, ctx, armedAt } = await applyUnconfirmed(t, runId);
      expect((await unitProps(runId)).ActiveState).toBe("active");
      const timerPid = (await sh(`cat ${run}/timer.pid`)).trim();
      const changed = await deviceState();
      expect(changed).not.toBe(before);
      expect(changed).toContain("link br-sd");

      await debianApply.confirm(s, ctx, stagedOf(ctx.runId));
      await poll("the unit to stop after confirm", 5_000, async () =>
        (await unitProps(runId)).LoadState === "not-found" ? true : undefined,
      );
      expect((await router.sh(`kill -0 ${timerPid}`)).exitCode).not.toBe(0);
      await debianApply.unlock(s, ctx);

      // Past the timeout (and some): nothing reverted.
      await sleep(Math.max(0, armedAt + (TIMEOUT_S + 4) * 1000 - Date.now()));
      expect(await deviceState()).toBe(changed);
      expect(await sh(`ls ${run}; [ -f ${NOTICES}/${runId} ] && echo notice; true`)).not.toMatch(
        /^(armed|reverting|reverted|notice)$/m,
      );
      expect(await sh(`cat ${run}/record`)).toMatch(new RegExp(`^run=${runId}\\nconfirmed=`));
      const journal = await sh(`journalctl --no-pager -o cat -u ${unitOf(runId)}`);
      expect(journal).toMatch(new RegExp(`Started ${unitOf(runId).replace(/\./g, "\\.")}`));
    } finally {
      await t.closeAll();
    }
  }, 120_000);

  it("rolled back: the unit is stopped and gone, the device is as before, and nothing fires later", async () => {
    const runId = newRunId();
    const run = `${RUNS}/${runId}`;
    const before = await deviceState();
    const t = router.transport();
    try {
      const { s, ctx, staged, armedAt } = await applyUnconfirmed(t, runId, OTHER);
      expect((await unitProps(runId)).ActiveState).toBe("active");
      const changed = await deviceState();
      expect(changed).toContain("addr br-sd 192.0.2.9/32");
      expect(changed).not.toContain("addr br-sd 192.0.2.1/32");

      await debianApply.rollback(s, ctx, staged);
      await poll("the unit to stop after rollback", 5_000, async () =>
        (await unitProps(runId)).LoadState === "not-found" ? true : undefined,
      );
      const after = await deviceState();
      expect(after).toBe(before);
      expect(after).toContain("addr br-sd 192.0.2.1/32");
      await debianApply.unlock(s, ctx);

      await sleep(Math.max(0, armedAt + (TIMEOUT_S + 4) * 1000 - Date.now()));
      expect(await deviceState()).toBe(before);
      expect(
        (await router.sh(`[ -e ${NOTICES}/${runId} ]`)).exitCode,
        "a notice of a rolled-back run",
      ).not.toBe(0);
      expect(await sh(`[ -e ${run}/reverted ] && echo reverted`)).toBe("reverted\n");
    } finally {
      await t.closeAll();
    }
  }, 120_000);
});
