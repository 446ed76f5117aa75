// A scripted apply driver and transport for rollout tests: every step is logged as device:step,
// and a device can be made to fail at stage or at the health gates.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApplyTarget } from "../../../reconciler/apply/executor.ts";
import type { ApplyDriver, Observation } from "../../../reconciler/drivers/apply-contract.ts";
import { CandidateRejectedError } from "../../../reconciler/model/errors.ts";
import type { DesiredRepo, ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { StateStore } from "../../../reconciler/state/store.ts";
import type { DeviceSession, Transport } from "../../../reconciler/transport/session.ts";
import { testDevice } from "../../helpers/device.ts";

export interface Script {
  failStage?: string[];
  failHealth?: string[];
}

export function target(device: ResolvedDevice): ApplyTarget {
  return {
    device,
    intent: {},
    candidate: { kind: "files", files: { "/etc/x": "x\n" } },
    live: {
      device: device.name,
      platform: "debian",
      state: {},
      artifacts: {},
      publicKeys: {},
      fingerprint: "f",
    },
    probes: [{ kind: "ospf-adjacency", interface: "wg-x", routerId: "192.0.2.1" }],
    publicKeys: {},
  };
}

/** A repository of devices (name -> via, "" when reached directly) and links. */
export function repoOf(spec: Record<string, string>, links: [string, string][] = []): DesiredRepo {
  const devices = Object.fromEntries(
    Object.entries(spec).map(([n, via]) => [n, testDevice(n, via ? { via } : {})]),
  );
  return {
    origin: "test",
    devices,
    links: links.map(([a, b], i) => ({
      name: `l${i}`,
      ends: [
        { device: a, interface: `wg-${b}` },
        { device: b, interface: `wg-${a}` },
      ],
    })) as DesiredRepo["links"],
    publicKeys: {},
    expanded: {},
  };
}

export function fakes(script: Script, dirs: string[]) {
  const log: string[] = [];
  const session = (device: string): DeviceSession => ({ device }) as unknown as DeviceSession;
  const transport: Transport = {
    session: async (d) => session(d),
    freshSession: async (d) => session(d),
    closeAll: async () => {},
  };
  const rec = (step: string) => async (_s: DeviceSession, ctx: { device: ResolvedDevice }) => {
    log.push(`${ctx.device.name}:${step}`);
  };
  const driver: ApplyDriver = {
    lock: rec("lock"),
    unlock: rec("unlock"),
    releaseLock: async () => "released",
    rearm: rec("rearm"),
    abandon: rec("abandon"),
    capabilities: { nativeCommitConfirm: false, onDeviceValidation: true },
    stage: async (_s, ctx) => {
      log.push(`${ctx.device.name}:stage`);
      if (script.failStage?.includes(ctx.device.name))
        throw new CandidateRejectedError("bird: syntax error", {
          device: ctx.device.name,
          command: "bird -p",
        });
      return { runId: ctx.runId, where: "/x", secrets: [] };
    },
    arm: rec("arm"),
    commit: rec("commit"),
    health: async (_s, ctx): Promise<Observation[]> => {
      const ok = !script.failHealth?.includes(ctx.device.name);
      return [
        { kind: "ospf-interface", interface: "wg-x", instances: ["mesh"] },
        {
          kind: "ospf-neighbor",
          interface: "wg-x",
          routerId: "192.0.2.1",
          state: ok ? "Full" : "Init",
          instance: "mesh",
        },
      ];
    },
    confirm: rec("confirm"),
    rollback: rec("rollback"),
  };
  const dir = mkdtempSync(join(tmpdir(), "reconciler-rollout-"));
  dirs.push(dir);
  return {
    log,
    options: {
      runId: "20261129T120000Z-000001",
      transport,
      drivers: { debian: driver },
      store: new StateStore(dir),
      env: {},
      confirmTimeoutS: 120,
      healthTimeoutS: 0,
      pollIntervalMs: 1,
    },
  };
}

/** The devices that were touched at all (any step logged). */
export const touched = (log: readonly string[]) => [...new Set(log.map((l) => l.split(":")[0]))].sort();
