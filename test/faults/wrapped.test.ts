// Fault catalogue, part 1: faults injected through the test's own wrappers of the real Debian
// apply driver (the apply runs in this process through the CLI's apply command, over the real SSH
// transport), or through the lab at a precise step: SSH cut mid-stage, right after commit and
// during the health gates; the health gate failing on one end of a link; a routing daemon
// restarted mid-apply; an underlay partition between commit and health.
import { describe, expect } from "vitest";
import { nsExec, nsExecOk, setLink } from "../lab/lab.ts";
import {
  applyInProcess,
  cutSsh,
  Fault,
  faultTest,
  freshCost,
  hookDriver,
  restartBird,
  router,
  sleep,
  useMesh,
} from "./harness.ts";

const mesh = useMesh();
const PAIR = ["router-a", "router-b"] as const;

describe("faults injected at a step of the apply", () => {
  faultTest("SSH cut mid-stage", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("SSH cut mid-stage", repo, PAIR));
    await f.begin();
    let cut = 0;
    let stageDone = false;
    const run = await applyInProcess(repo, PAIR, {
      driver: (d) =>
        hookDriver(d, {
          stage: {
            during: async (device, runId) => {
              if (device !== "router-b") return;
              // Cut once the device is writing this run's candidate.
              for (let i = 0; i < 300; i++) {
                const r = await nsExec(router(device), ["test", "-d", `/var/lib/reconciler/runs/${runId}`]);
                if (r.code === 0) break;
                await sleep(10);
              }
              cut = cutSsh(device);
            },
            after: async () => {
              stageDone = true;
            },
          },
        }),
    });
    expect(cut, "sshd processes killed").toBeGreaterThan(0);
    expect(stageDone).toBe(true);
    expect(run.code).toBe(1);
    await f.settle();
    // Nothing may be armed before every device staged: both ends stay as they were.
    f.check({ "router-a": ["byte-identical"], "router-b": ["byte-identical"] });
  });

  faultTest("SSH cut right after commit", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("SSH cut right after commit", repo, PAIR));
    await f.begin();
    let cut = 0;
    await applyInProcess(repo, PAIR, {
      driver: (d) =>
        hookDriver(d, {
          commit: {
            after: async (device) => {
              if (device === "router-a") cut = cutSsh(device);
            },
          },
        }),
    });
    expect(cut).toBeGreaterThan(0);
    await f.settle();
    f.check({});
  });

  faultTest("SSH cut during health gates", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("SSH cut during health gates", repo, PAIR));
    await f.begin();
    let cut = 0;
    await applyInProcess(repo, PAIR, {
      driver: (d) =>
        hookDriver(d, {
          health: {
            during: async (device) => {
              if (device !== "router-a" || cut > 0) return;
              await sleep(50);
              cut = cutSsh(device);
            },
          },
        }),
    });
    expect(cut).toBeGreaterThan(0);
    await f.settle();
    f.check({});
  });

  faultTest("health gate fails on one end of a link", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("health gate fails on one end of a link", repo, PAIR));
    await f.begin();
    let injected = false;
    try {
      // After its commit, router-b's bird stops installing routes into the kernel: router-b's
      // route checks fail, router-a's gates (adjacency, handshake, routes) still pass.
      const run = await applyInProcess(repo, PAIR, {
        driver: (d) =>
          hookDriver(d, {
            commit: {
              after: async (device) => {
                if (device !== "router-b") return;
                await nsExecOk(router(device), ["birdc", "disable", "kernel4"]);
                injected = true;
              },
            },
          }),
      });
      expect(injected).toBe(true);
      expect(run.code).toBe(1);
    } finally {
      await nsExec(router("router-b"), ["birdc", "enable", "kernel4"]);
    }
    await f.settle();
    // The wave rolls back whole: the end that passed is restored too.
    f.check({ "router-a": ["byte-identical"], "router-b": ["byte-identical"] });
  });

  faultTest("routing daemon restarted mid-apply", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("routing daemon (bird) restarted mid-apply", repo, PAIR));
    await f.begin();
    let restarted = false;
    await applyInProcess(repo, PAIR, {
      driver: (d) =>
        hookDriver(d, {
          commit: {
            after: async (device) => {
              if (device !== "router-a") return;
              await restartBird(device);
              restarted = true;
            },
          },
        }),
    });
    expect(restarted).toBe(true);
    await f.settle();
    f.check({});
  });

  faultTest("underlay partition between commit and health", async ({ use }) => {
    const repo = mesh();
    repo.setCost("a-b", freshCost());
    const f = use(new Fault("underlay partition between commit and health", repo, PAIR));
    await f.begin();
    let parted = false;
    try {
      await applyInProcess(repo, PAIR, {
        driver: (d) =>
          hookDriver(d, {
            commit: {
              after: async (device) => {
                if (device !== "router-a" || parted) return;
                await setLink("router-a", "router-b", false);
                parted = true;
              },
            },
          }),
      });
      expect(parted).toBe(true);
    } finally {
      await setLink("router-a", "router-b", true);
    }
    await f.settle();
    f.check({});
  });
});
