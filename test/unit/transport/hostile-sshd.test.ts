// The output cap over real SSH (a throwaway OpenSSH on 127.0.0.1): a command that prints without
// end fails with OutputTooLargeError in bounded time, and the connection stays usable for the
// next command.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputTooLargeError } from "../../../reconciler/model/errors.ts";
import { parseKnownHosts } from "../../../reconciler/transport/known-hosts-file.ts";
import { SshTransport } from "../../../reconciler/transport/ssh.ts";
import { startSshd, type TestSshd } from "../../helpers/sshd.ts";

let sshd: TestSshd;
let transport: SshTransport;

beforeAll(async () => {
  sshd = await startSshd();
  const pins = parseKnownHosts("known_hosts", `${sshd.knownHostsLine}\n`).entries;
  transport = new SshTransport(
    {
      r1: {
        name: "r1",
        platform: "debian",
        host: sshd.host,
        port: sshd.port,
        user: "root",
        credentials: { agent: false, keyFileEnv: "RECONCILER_SSH_KEY" },
        sudo: false,
        connectTimeoutS: 5,
        groups: [],
        labels: {},
        vars: {},
      },
    },
    pins,
    { env: { RECONCILER_SSH_KEY: sshd.clientKey.path } },
  );
}, 60_000);

afterAll(async () => {
  await transport?.closeAll();
  await sshd?.stop();
});

describe("a device that prints without end, over SSH", () => {
  it("fails that command at the cap, and the next command on the connection works", async () => {
    const s = await transport.session("r1");
    const started = Date.now();
    const err = await s.run(["yes", "flood"], { maxOutputBytes: 4 * 1024 * 1024, timeoutMs: 20_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutputTooLargeError);
    expect((err as OutputTooLargeError).message).toMatch(/^r1: `yes flood` printed more than 4194304 bytes/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await s.run(["echo", "still here"])).stdout).toBe("still here\n");
  });
});
