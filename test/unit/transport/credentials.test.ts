// Credentials from the environment: each way the inventory may name them, and errors that name
// the variable but never print its value or the key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuthError } from "../../../reconciler/model/errors.ts";
import type { Credentials, ResolvedDevice } from "../../../reconciler/model/repo.ts";
import { authFor } from "../../../reconciler/transport/credentials.ts";
import { generateKey } from "../../helpers/sshd.ts";

const dir = mkdtempSync(join(tmpdir(), "rcl-creds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const device = (credentials: Credentials): ResolvedDevice => ({
  name: "r1",
  platform: "debian",
  host: "198.51.100.1",
  port: 22,
  user: "netops",
  credentials,
  sudo: false,
  connectTimeoutS: 5,
  groups: [],
  labels: {},
  vars: {},
});

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuthError);
  return (err as AuthError).message;
};

describe("credentials", () => {
  it("uses SSH_AUTH_SOCK for the agent, and says so when it is unset", async () => {
    const plan = await authFor(device({ agent: true }), { SSH_AUTH_SOCK: "/run/agent.sock" });
    expect(plan.methods).toEqual([{ type: "agent", username: "netops", agent: "/run/agent.sock" }]);
    expect(await failure(authFor(device({ agent: true }), {}))).toMatch(/SSH_AUTH_SOCK is not set/);
  });

  it("reads the key file named by the variable", async () => {
    const key = generateKey(dir, "k");
    const plan = await authFor(device({ agent: false, keyFileEnv: "MY_KEY" }), { MY_KEY: key.path });
    expect(plan.methods[0]?.type).toBe("publickey");
    expect(plan.describe).toBe("the private key named by $MY_KEY");
  });

  it("names the variable when it is unset or its file is unreadable", async () => {
    const d = device({ agent: false, keyFileEnv: "MY_KEY" });
    expect(await failure(authFor(d, {}))).toMatch(/\$MY_KEY is not set/);
    const msg = await failure(authFor(d, { MY_KEY: join(dir, "no-such-key") }));
    expect(msg).toMatch(/cannot read the SSH private key named by \$MY_KEY \(ENOENT\)/);
  });

  it("refuses a file that is not a usable private key without quoting it", async () => {
    const path = join(dir, "garbage");
    writeFileSync(
      path,
      "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END OPENSSH PRIVATE KEY-----\n",
    );
    const msg = await failure(authFor(device({ agent: false, keyFileEnv: "K" }), { K: path }));
    expect(msg).toMatch(/named by \$K cannot be used/);
    expect(msg).not.toContain("c2VjcmV0LWJ5dGVz");
    const pub = generateKey(dir, "pub-only");
    const msg2 = await failure(authFor(device({ agent: false, keyFileEnv: "K" }), { K: `${pub.path}.pub` }));
    expect(msg2).toMatch(/cannot be used/);
  });

  it("takes the password from its variable and marks it as a secret", async () => {
    const d = device({ agent: false, passwordEnv: "PW" });
    const plan = await authFor(d, { PW: "s3cret-pass" });
    expect(plan.secrets).toEqual(["s3cret-pass"]);
    expect(plan.methods.map((m) => m.type)).toEqual(["password", "keyboard-interactive"]);
    const msg = await failure(authFor(d, {}));
    expect(msg).toMatch(/\$PW is not set/);
  });
});
