// Errors said once, where they belong: what stops every device alike (an unset credential
// variable, an unreadable key file, no pinned host key) is refused once, before any connection;
// apply without --yes off a terminal is refused before any connection; a device's own error names
// it once; a platform without a driver is "not read", never a failed read. The commands run in
// process on a copy of the example network, over the real SSH transport wrapped in a recorder of
// every connection asked of it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCommand } from "../../reconciler/cli/apply.ts";
import { CliError } from "../../reconciler/cli/exit-codes.ts";
import { planCommand } from "../../reconciler/cli/plan.ts";
import { readFleet } from "../../reconciler/cli/read-fleet.ts";
import type { Driver } from "../../reconciler/drivers/driver.ts";
import { DRIVERS } from "../../reconciler/drivers/index.ts";
import { ConnectionError } from "../../reconciler/model/errors.ts";
import type { DesiredRepo } from "../../reconciler/model/repo.ts";
import { plan } from "../../reconciler/plan/planner.ts";
import { formatPlan } from "../../reconciler/report/plan-text.ts";
import type { Progress } from "../../reconciler/report/progress.ts";
import type { Env } from "../../reconciler/transport/credentials.ts";
import type { DeviceSession, Transport } from "../../reconciler/transport/session.ts";
import { openSshTransport } from "../../reconciler/transport/ssh.ts";
import { loadExample, ROOT } from "../helpers/example-repo.ts";
import { sshKeyPair } from "../sim/routeros/ssh-keys.ts";

let dir: string;
let keyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-errors-once-"));
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  keyFile = join(dir, "id_ed25519");
  writeFileSync(keyFile, sshKeyPair().private, { mode: 0o600 });
  // The example pins no key yet (its README starts with `reconciler trust`): one pinned here.
  const pinned = sshKeyPair().public.split(" ").slice(0, 2).join(" ");
  writeFileSync(join(dir, "inventory", "known_hosts"), `198.51.100.130 ${pinned}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real SSH transport, with every connection asked of it recorded (and refused). */
function recording(env: Env) {
  const asked: string[] = [];
  const open = (repo: DesiredRepo, knownHosts: string): Transport => {
    const ssh = openSshTransport(repo.devices, knownHosts, { env });
    return {
      preflight: (names) => ssh.preflight(names),
      session: async (name) => {
        asked.push(name);
        throw new Error(`the test refuses the connection to ${name}`);
      },
      freshSession: async (name) => {
        asked.push(name);
        throw new Error(`the test refuses the connection to ${name}`);
      },
      closeAll: () => ssh.closeAll(),
    };
  };
  return { asked, open };
}

const sink = () => {
  const w = new Writable({
    write(c, _e, done) {
      (w as Writable & { text: string }).text += c.toString();
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
};

/** The CliError a command is refused with (it must be refused). */
async function refusal(run: Promise<number>): Promise<CliError> {
  const err = await run.then(
    (code) => new Error(`expected a refusal, got exit ${code}`),
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw err;
  return err;
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe("fleet-wide preconditions, said once before any connection", () => {
  it("plan without the key variable: one line for all 8 devices, no connection asked", async () => {
    const t = recording({});
    const out = sink();
    const err = await refusal(
      planCommand({ repo: dir }, { drivers: DRIVERS, openTransport: t.open }, out, false),
    );
    expect(err.message).toBe(
      "$RECONCILER_SSH_KEY is not set: it must hold the path of the SSH private key (needed for all 8 devices); no device was contacted",
    );
    expect(t.asked).toEqual([]);
    expect(out.text).toBe("");
  });

  it("a key file that cannot be read, for a device behind a jump: the jump is named too", async () => {
    const t = recording({ RECONCILER_SSH_KEY: join(dir, "no-such-key") });
    const err = await refusal(
      planCommand(
        { repo: dir, limit: "tower-1" },
        { drivers: DRIVERS, openTransport: t.open },
        sink(),
        false,
      ),
    );
    expect(err.message).toBe(
      "cannot read the SSH private key named by $RECONCILER_SSH_KEY (ENOENT) (needed for tower-1, core-1); no device was contacted",
    );
    expect(t.asked).toEqual([]);
  });

  it("two missing variables: each said once, with the devices it is for", async () => {
    const inventory = join(dir, "inventory", "inventory.yaml");
    const original = readFileSync(inventory, "utf8");
    writeFileSync(
      inventory,
      original.replace(
        "    host: 198.51.100.134\n    user: root\n",
        "    host: 198.51.100.134\n    user: root\n    credentials:\n      password_env: FW_SSH_PASS\n",
      ),
    );
    try {
      const t = recording({});
      const err = await refusal(
        planCommand({ repo: dir }, { drivers: DRIVERS, openTransport: t.open }, sink(), false),
      );
      expect(err.message).toBe(
        [
          "no device was contacted:",
          "  $RECONCILER_SSH_KEY is not set: it must hold the path of the SSH private key (needed for router-a, router-b, router-c, core-1 and 3 more)",
          "  $FW_SSH_PASS is not set: it must hold the password (needed for fw-1)",
        ].join("\n"),
      );
      expect(count(err.message, "RECONCILER_SSH_KEY")).toBe(1);
      expect(t.asked).toEqual([]);
    } finally {
      writeFileSync(inventory, original);
    }
  });

  it("a known_hosts that pins nothing: said once, no connection asked", async () => {
    const knownHosts = join(dir, "inventory", "known_hosts");
    const original = readFileSync(knownHosts, "utf8");
    writeFileSync(knownHosts, "# nothing pinned yet\n");
    try {
      const t = recording({ RECONCILER_SSH_KEY: keyFile });
      const err = await refusal(
        planCommand(
          { repo: dir, limit: "router-*" },
          { drivers: DRIVERS, openTransport: t.open },
          sink(),
          false,
        ),
      );
      expect(err.message).toMatch(
        /^inventory\/known_hosts pins no host key, so no device can be trusted \(needed for all 3 devices\): record each device's key with `reconciler trust DEVICE` and review it; no device was contacted$/,
      );
      expect(t.asked).toEqual([]);
    } finally {
      writeFileSync(knownHosts, original);
    }
  });

  it("with the credentials in place, the devices are contacted (the recorder does see connections)", async () => {
    const t = recording({ RECONCILER_SSH_KEY: keyFile });
    const out = sink();
    const code = await planCommand(
      { repo: dir, limit: "router-a,router-b" },
      { drivers: DRIVERS, openTransport: t.open },
      out,
      false,
    );
    expect(code).toBe(1);
    expect(t.asked.sort()).toEqual(["router-a", "router-b"]);
    expect(out.text).toContain("router-a (debian): error: the test refuses the connection to router-a\n");
  });
});

describe("refusals that need no device come before any connection", () => {
  it("apply without --yes off a terminal: refused as a usage error, nothing read or asked", async () => {
    const t = recording({ RECONCILER_SSH_KEY: keyFile });
    let reads = 0;
    const counting = Object.fromEntries(
      Object.entries(DRIVERS).map(([k, d]) => [
        k,
        {
          ...(d as Driver),
          read: (s, dev) => {
            reads++;
            return (d as Driver).read(s, dev);
          },
        } satisfies Driver,
      ]),
    );
    const err = await refusal(
      applyCommand(
        undefined,
        { repo: dir },
        {
          drivers: counting,
          applyDrivers: {},
          openTransport: t.open,
          env: {},
          ask: async () => true,
          interactive: false,
          err: sink(),
        },
        sink(),
        false,
      ),
    );
    expect(err.message).toBe(
      "refusing to apply without --yes when not on a terminal; no device was contacted",
    );
    expect(err.exitCode).toBe(64);
    expect(t.asked).toEqual([]);
    expect(reads).toBe(0);
  });
});

describe("per-device errors", () => {
  const quiet = () => {
    const seen: string[] = [];
    const progress: Progress = {
      start: (n) => seen.push(`start ${n}`),
      done: (d, ok) => seen.push(`${d} ${ok ? "ok" : "failed"}`),
      finish: () => seen.push("finish"),
    };
    return { seen, progress };
  };

  it("name the device once, and a platform without a driver is not read, not failed", async () => {
    const { repo } = await loadExample();
    if (!repo) throw new Error("the example does not load");
    const devices = ["router-a", "fw-1"].flatMap((n) => repo.devices[n] ?? []);
    const asked: string[] = [];
    const transport: Transport = {
      session: async (name) => {
        asked.push(name);
        return {} as DeviceSession;
      },
      freshSession: async () => ({}) as DeviceSession,
      closeAll: async () => {},
    };
    const unreachable: Driver = {
      ...(DRIVERS.debian as Driver),
      read: async (_s, device) => {
        throw new ConnectionError("connection refused by 198.51.100.130:22", { device: device.name });
      },
    };
    const { seen, progress } = quiet();
    const drivers = { debian: unreachable };
    const inputs = await readFleet(repo, devices, transport, drivers, progress);
    const text = formatPlan(plan(inputs, { origin: "HEAD", drivers }));
    expect(text.split("\n")).toEqual([
      "fw-1 (opnsense): not read: no driver for platform opnsense yet",
      "",
      "router-a (debian): error: connection refused by 198.51.100.130:22",
      "",
      "Plan from HEAD: 0 to add, 0 to change, 0 to remove on 0 devices (0 unchanged, 2 failed).",
      "",
    ]);
    expect(asked).toEqual(["router-a"]);
    expect(seen).toEqual(["start 1", "router-a failed", "finish"]);
  });
});
