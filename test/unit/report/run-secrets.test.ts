// The last line of defence: whatever reaches a terminal, a saved plan or the state store has
// the run's secret values replaced, as written and as JSON escapes them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { secretVariables } from "../../../reconciler/model/secret-variables.ts";
import {
  addRunSecrets,
  clearRunSecrets,
  redactRunSecrets,
  redactWrites,
} from "../../../reconciler/report/run-secrets.ts";
import { StateStore } from "../../../reconciler/state/store.ts";

const SECRET = 'p4ss"w\\rd$`x';
const dirs: string[] = [];
afterEach(() => {
  clearRunSecrets();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the run's secrets", () => {
  it("are found in every *_env field but key_file_env", () => {
    const names = secretVariables({
      ospf: { instances: [{ areas: [{ interfaces: [{ authentication: { password_env: "OSPF_KEY" } }] }] }] },
      snmp: { v3_users: [{ auth_password_env: "SNMP_AUTH", privacy_password_env: "SNMP_PRIV" }] },
      credentials: { key_file_env: "SSH_KEY_PATH" },
    });
    expect([...names].sort()).toEqual(["OSPF_KEY", "SNMP_AUTH", "SNMP_PRIV"]);
  });

  it("are redacted as written and as JSON writes them; short values are left alone", () => {
    addRunSecrets([SECRET, "abc", undefined]);
    expect(redactRunSecrets(`error: bird said ${SECRET}`)).toBe("error: bird said (secret)");
    expect(redactRunSecrets(JSON.stringify({ detail: `x ${SECRET} y` }))).toBe('{"detail":"x (secret) y"}');
    expect(redactRunSecrets("abc")).toBe("abc");
  });

  it("never reach a redacting stream or the state store", async () => {
    addRunSecrets([SECRET]);
    const stream = new PassThrough();
    let seen = "";
    stream.on("data", (d: Buffer) => {
      seen += d.toString();
    });
    redactWrites(stream);
    stream.write(`the device echoed ${SECRET}\n`);
    expect(seen).toBe("the device echoed (secret)\n");
    const dir = mkdtempSync(join(tmpdir(), "reconciler-secrets-"));
    dirs.push(dir);
    const store = new StateStore(dir);
    await store.journal({ runId: "r", device: "a", step: "stage", ok: false, detail: `rejected: ${SECRET}` });
    expect(readFileSync(join(dir, "journal.jsonl"), "utf8")).not.toContain("p4ss");
  });
});
