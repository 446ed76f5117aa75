// Every command's --json against its published schema (reconciler/schema/json/*-output.schema.json),
// with ajv as a consumer would use it: the real binary where it needs no device, a throwaway sshd
// for trust, a scripted key-generating driver for keys. Each output carries schema_version.
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keysCommand } from "../../reconciler/cli/keys.ts";
import type { ApplyDriver } from "../../reconciler/drivers/apply-contract.ts";
import type { FilesCandidate, LiveState } from "../../reconciler/model/live.ts";
import { type PlannerDriver, plan } from "../../reconciler/plan/planner.ts";
import type { DeviceIntent } from "../../reconciler/schema/device.ts";
import { OUTPUT_SCHEMA_VERSION } from "../../reconciler/schema/outputs.ts";
import { freeze } from "../../reconciler/state/freeze.ts";
import { RUN_LOCK_FILE } from "../../reconciler/state/run-lock.ts";
import { type RunRecord, writeRunRecord } from "../../reconciler/state/runs.ts";
import type { DeviceSession, Transport } from "../../reconciler/transport/session.ts";
import { runCli } from "../helpers/cli.ts";
import { testDevice } from "../helpers/device.ts";
import { ROOT } from "../helpers/example-repo.ts";
import { startSshd, type TestSshd } from "../helpers/sshd.ts";

const SCHEMAS = join(ROOT, "reconciler", "schema", "json");
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validators = new Map<string, ValidateFunction>();
function check(command: string, text: string): Record<string, unknown> {
  let validate = validators.get(command);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${command}-output.schema.json`), "utf8")));
    validators.set(command, validate);
  }
  const doc = JSON.parse(text) as Record<string, unknown>;
  const ok = validate(doc);
  expect(ok, `${command}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  expect(doc.schema_version).toBe(OUTPUT_SCHEMA_VERSION);
  return doc;
}

let dir: string;
let repo: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "reconciler-json-"));
  repo = join(dir, "repo");
  for (const sub of ["inventory", "desired"]) cpSync(join(ROOT, sub), join(repo, sub), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a schema for each command's --json", () => {
  it("exists for every command that has --json and prints one document on stdout", () => {
    const files = readdirSync(SCHEMAS).filter((f) => f.endsWith("-output.schema.json"));
    expect(files.sort()).toEqual(
      ["history", "keys", "plan", "status", "trust", "unfreeze", "unlock", "validate"].map(
        (c) => `${c}-output.schema.json`,
      ),
    );
  });

  it("rejects what breaks it: the schemas are not vacuous", () => {
    const doc = check("validate", runCli(["validate", "--repo", repo, "--json"]).stdout);
    const validate = validators.get("validate") as ValidateFunction;
    expect(validate({ ...doc, schema_version: 2 })).toBe(false);
    expect(validate({ ...doc, valid: "yes" })).toBe(false);
    expect(validate({ ...doc, diagnostics: [{ severity: "fatal" }] })).toBe(false);
  });
});

describe("validate --json", () => {
  it("a valid repository, and one with an error", () => {
    const ok = check("validate", runCli(["validate", "--repo", repo, "--json"]).stdout);
    expect(ok.valid).toBe(true);
    const broken = join(dir, "broken");
    for (const sub of ["inventory", "desired"])
      cpSync(join(ROOT, sub), join(broken, sub), { recursive: true });
    appendFileSync(join(broken, "inventory", "inventory.yaml"), "no_such_section: 1\n");
    const r = runCli(["validate", "--repo", broken, "--json"]);
    expect(r.code).toBe(1);
    const bad = check("validate", r.stdout);
    expect(bad.valid).toBe(false);
    expect((bad.diagnostics as unknown[]).length).toBeGreaterThan(0);
  });
});

describe("history, status and unfreeze --json", () => {
  const record: RunRecord = {
    version: 1,
    runId: "20261129T100000Z-000001",
    command: "apply",
    startedAt: "2026-11-29T10:00:00.000Z",
    endedAt: "2026-11-29T10:02:00.000Z",
    revision: "0123456789abcdef0123456789abcdef01234567",
    origin: "revision main (0123456789ab)",
    by: "op@host",
    result: "failed",
    waves: [["router-a"], ["router-b"]],
    devices: [
      { device: "router-a", result: "confirmed", changes: 3, seconds: 12.5 },
      {
        device: "router-b",
        result: "rolled-back",
        failedStep: "health",
        error: "OSPF neighbour not Full",
        changes: 1,
        health: { ok: false, checks: [{ name: "ospf wg-a", ok: false, expected: "Full", seen: "Init" }] },
      },
    ],
  };

  it("on an empty store, then with a run, a damaged record and a freeze", async () => {
    const store = join(dir, "state");
    const env = { RECONCILER_STATE_DIR: store };
    check("history", runCli(["history", "--json", "--repo", repo], { env }).stdout);
    check("status", runCli(["status", "--json", "--repo", repo], { env }).stdout);

    await writeRunRecord(store, record);
    writeFileSync(join(store, "runs", "20261129T110000Z-000002.json"), "{ torn");
    await freeze(
      store,
      { runId: "r2", by: "op@host", reason: "rollback", revision: record.revision as string },
      new Date("2026-11-29T11:00:00.000Z"),
    );
    const history = check("history", runCli(["history", "--json", "--repo", repo], { env }).stdout);
    expect((history.records as unknown[]).length).toBe(1);
    expect(history.damaged).toEqual(["20261129T110000Z-000002.json"]);
    const status = check("status", runCli(["status", "--json", "--repo", repo], { env }).stdout);
    expect(status.freeze).toMatchObject({ frozen: { reason: "rollback" } });

    const unfrozen = check("unfreeze", runCli(["unfreeze", "--json", "--repo", repo], { env }).stdout);
    expect(unfrozen).toMatchObject({
      wasFrozen: true,
      frozen: { by: "op@host" },
      stillRefused: [record.revision],
    });
    const again = check("unfreeze", runCli(["unfreeze", "--json", "--repo", repo], { env }).stdout);
    expect(again.wasFrozen).toBe(false);

    mkdirSync(join(store, "held"), { recursive: true });
    writeFileSync(join(store, "freeze.json"), "not json");
    const damaged = check("status", runCli(["status", "--json", "--repo", repo], { env }).stdout);
    expect(damaged.freeze).toHaveProperty("error");
  });
});

describe("unlock --repo-lock --json", () => {
  it("a lock another machine left, freed; then not held; one held by another run, kept", () => {
    const store = join(dir, "unlock-state");
    const env = { RECONCILER_STATE_DIR: store };
    mkdirSync(store, { recursive: true });
    const lock = (runId: string) =>
      writeFileSync(
        join(store, RUN_LOCK_FILE),
        JSON.stringify({
          runId,
          host: "ci-runner-9",
          pid: 4242,
          time: "2026-11-29T10:00:00.000Z",
          command: "apply",
        }),
      );
    const unlock = (runId: string) =>
      runCli(["unlock", "--repo-lock", "--run", runId, "--json", "--repo", repo], { env });
    lock("20261129T100000Z-000001");
    const released = unlock("20261129T100000Z-000001");
    expect(released.code).toBe(0);
    expect(check("unlock", released.stdout)).toMatchObject({ lock: "repository", outcome: "released" });
    expect(check("unlock", unlock("20261129T100000Z-000001").stdout).outcome).toBe("not-locked");
    lock("20261129T110000Z-000002");
    const other = unlock("20261129T100000Z-000001");
    expect(other.code).toBe(1);
    const kept = check("unlock", other.stdout);
    expect(kept.outcome).toBe("held-by-another-run");
    expect(kept.holder).toMatch(/20261129T110000Z-000002/);
  });
});

describe("plan --json", () => {
  // plan --json prints the Plan value as the planner returns it: checked on the pure planner
  // (changes, files, unmanaged, an unreadable device, a platform without a driver), so that the
  // test needs no device; the e2e plan tests exercise the real command.
  it("the planner's Plan, with changes, an unreadable device and one without a driver", () => {
    const desired: DeviceIntent = { forwarding: { ipv4: true, ipv6: false } };
    const toy: PlannerDriver = {
      candidate: (intent): FilesCandidate => ({
        kind: "files",
        files: { "/etc/toy.json": `${JSON.stringify(intent)}\n` },
      }),
      normalize: (intent) => structuredClone(intent),
      owned: () => new Set(["forwarding"]),
    };
    const liveState: DeviceIntent = { forwarding: { ipv4: false, ipv6: false } };
    const live: LiveState = {
      device: "router-a",
      platform: "debian",
      state: liveState,
      artifacts: { "/etc/toy.json": `${JSON.stringify(liveState)}\n` },
      publicKeys: {},
      fingerprint: "f00",
    };
    const result = plan(
      [
        { device: testDevice("router-a"), desired, live },
        {
          device: testDevice("router-b"),
          desired,
          live: { error: { kind: "ConnectionError", message: "router-b: connection refused" } },
        },
        { device: testDevice("tower-1", { platform: "routeros" }), desired, live },
      ],
      { origin: "working tree", drivers: { debian: toy }, now: () => new Date("2026-11-29T10:00:00Z") },
    );
    const doc = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, "plan-output.schema.json"), "utf8")));
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
    expect((doc.devices as { status: string }[]).map((d) => d.status)).toEqual(["changes", "error", "error"]);
    expect(validate({ ...doc, version: 2 })).toBe(false);
  });
});

describe("keys --json", () => {
  it("reports each device's keys (recorded, unchanged) and a device that could not be asked", async () => {
    const keyOf = (device: string, iface: string) =>
      Buffer.from(`${device}/${iface}`.padEnd(32, ".").slice(0, 32)).toString("base64");
    const driver = {
      capabilities: {
        keys: {
          ensureKeys: async (session: DeviceSession, _ctx: unknown, interfaces: readonly string[]) => {
            const device = (session as unknown as { device: string }).device;
            if (device === "router-c") throw new Error("router-c: connection refused");
            return Object.fromEntries(interfaces.map((i) => [i, keyOf(device, i)]));
          },
        },
      },
    } as unknown as ApplyDriver;
    const transport: Transport = {
      session: async (d) => ({ device: d }) as unknown as DeviceSession,
      freshSession: async (d) => ({ device: d }) as unknown as DeviceSession,
      closeAll: async () => {},
    };
    const deps = {
      applyDrivers: { debian: driver, routeros: driver, opnsense: driver, opengear: driver },
      openTransport: () => transport,
      env: {},
    };
    const saved = process.env.RECONCILER_STATE_DIR;
    process.env.RECONCILER_STATE_DIR = join(dir, "keys-state");
    try {
      const run = async () => {
        let text = "";
        const out = {
          write: (c: string) => {
            text += c;
            return true;
          },
        } as unknown as NodeJS.WritableStream;
        const code = await keysCommand({ repo, json: true, limit: "mesh" }, deps, out, false);
        return { code, doc: check("keys", text) };
      };
      const first = await run();
      expect(first.code).toBe(1);
      const devices = first.doc.devices as {
        device: string;
        ok: boolean;
        interfaces?: { change: string }[];
      }[];
      expect(devices.map((d) => [d.device, d.ok])).toEqual([
        ["router-a", true],
        ["router-b", true],
        ["router-c", false],
      ]);
      expect(devices[0]?.interfaces?.length).toBeGreaterThan(0);
      expect(first.doc.changed).toBeGreaterThan(0);
      const second = await run();
      const again = second.doc.devices as { ok: boolean; interfaces?: { change: string }[] }[];
      expect(again.filter((d) => d.ok).flatMap((d) => d.interfaces?.map((i) => i.change))).toEqual(
        expect.arrayContaining(["unchanged"]),
      );
      expect(second.doc.changed).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.RECONCILER_STATE_DIR;
      else process.env.RECONCILER_STATE_DIR = saved;
    }
  });
});

describe("trust --json", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
    const path = join(repo, "inventory", "inventory.yaml");
    const text = readFileSync(path, "utf8");
    const re = /(\n {2}router-a:\n {4}platform: \w+\n) {4}host: \S+\n( {4}port: \d+\n)?/;
    expect(re.test(text)).toBe(true);
    writeFileSync(path, text.replace(re, `$1    host: ${sshd.host}\n    port: ${sshd.port}\n`));
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it("the key pinned, then the same key unchanged", () => {
    const env = { RECONCILER_SSH_KEY: "", SSH_AUTH_SOCK: "" };
    const first = runCli(["trust", "router-a", "--repo", repo, "--json"], { env });
    expect(first.stderr).toBe("");
    const added = check("trust", first.stdout);
    expect(added).toMatchObject({
      device: "router-a",
      outcome: "added",
      keyType: "ssh-ed25519",
      replaced: [],
    });
    expect(added.fingerprint).toMatch(/^SHA256:/);
    const second = check("trust", runCli(["trust", "router-a", "--repo", repo, "--json"], { env }).stdout);
    expect(second.outcome).toBe("unchanged");
  });
});
