// SshSession over a fake connection: the exact command lines sent (quoting, `sudo -n`), exit
// codes, timeouts, lost connections, and redaction of secrets in what errors carry.
// sudo is not installed on the CI machine, so the sudo prefix is asserted on the command string
// here, and over real SSH (with a recording `sudo` stand-in) in ssh.test.ts.
import { describe, expect, it } from "vitest";
import { CommandError, ConnectionError } from "../../../reconciler/model/errors.ts";
import { FakeLink, session } from "./fake-link.ts";

describe("command lines", () => {
  it("quotes every argument and sends no sudo by default", async () => {
    const link = new FakeLink(() => ({ code: 0, stdout: "ok" }));
    const s = session(link);
    const r = await s.run(["printf", "%s", "$(reboot)", "it's", "`id`", "a\nb"]);
    expect(link.sent).toEqual([`printf %s '$(reboot)' 'it'\\''s' '\`id\`' 'a\nb'`]);
    expect(r).toEqual({ command: link.sent[0], stdout: "ok", stderr: "", exitCode: 0 });
  });

  it("prefixes `sudo -n` for run and sh when the inventory says sudo", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    const s = session(link, { sudo: true });
    await s.run(["wg", "show"]);
    await s.sh("cat /etc/bird/bird.conf; echo $?");
    expect(link.sent).toEqual(["sudo -n wg show", "sudo -n sh -s"]);
  });

  it("sends a script on stdin to sh -s, never in the command line", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    const script = "printf '%s\\n' \"$(hostname)\"\necho 'it''s'";
    const r = await session(link).sh(script);
    expect(link.sent).toEqual(["sh -s"]);
    // A brace group reading /dev/null: parsed whole before it runs; no command in it reads the rest.
    expect(link.channels[0]?.stdin).toBe(`{\n${script}\n} </dev/null\n`);
    expect(r.command).toBe(`sh -s: printf '%s\\n' "$(hostname)" ⏎ echo 'it''s'`);
  });

  it("adds no second newline before the closing brace", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    await session(link).sh("echo hi\n");
    expect(link.channels[0]?.stdin).toBe("{\necho hi\n} </dev/null\n");
  });

  it("writes stdin to the channel and then ends it", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    const s = session(link);
    await s.run(["tee", "/tmp/x"], { stdin: "content\n" });
    await s.run(["true"]);
    expect(link.channels[0]?.stdin).toBe("content\n");
    expect(link.channels[1]?.stdin).toBeUndefined();
  });

  it("sends a raw command line as is with line (for non-shell CLIs)", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    await session(link, { sudo: true }).line('/interface wireguard print detail where name="wg0"');
    expect(link.sent).toEqual(['/interface wireguard print detail where name="wg0"']);
  });

  it("refuses an empty argv", async () => {
    await expect(session(new FakeLink(() => ({ code: 0 }))).run([])).rejects.toThrow(/needs a command/);
  });
});

describe("results and failures", () => {
  it("throws CommandError with exit code, command and the output tail", async () => {
    const link = new FakeLink(() => ({ code: 2, stdout: "partial\n", stderr: "bird: syntax error\n" }));
    const err = await session(link)
      .run(["birdc", "configure"])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const e = err as CommandError;
    expect(e.exitCode).toBe(2);
    expect(e.device).toBe("r1");
    expect(e.command).toBe("birdc configure");
    expect(e.output).toBe("bird: syntax error\npartial");
    expect(e.message).toBe("r1: `birdc configure` exited with status 2: bird: syntax error");
  });

  it("takes the exit status from 'close' when 'exit' fired before the session listened", async () => {
    const link = new FakeLink(() => ({ exitEarly: true, code: 3 }));
    const r = await session(link).run(["x"], { allowFailure: true });
    expect(r.exitCode).toBe(3);
  });

  it("returns a non-zero exit when allowFailure is set", async () => {
    const link = new FakeLink(() => ({ code: 1, stderr: "no" }));
    const r = await session(link).run(["test", "-e", "/x"], { allowFailure: true });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("no");
  });

  it("treats a signal as a failure with exit code null", async () => {
    const link = new FakeLink(() => ({ code: null, signal: "KILL" }));
    const err = (await session(link)
      .run(["yes"])
      .catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBeNull();
    expect(err.message).toMatch(/killed by signal KILL/);
  });

  it("times out: closes the channel and throws CommandError with exit code null", async () => {
    const link = new FakeLink(() => ({ hang: true }));
    const started = Date.now();
    const err = (await session(link)
      .run(["sleep", "100"], { timeoutMs: 100 })
      .catch((e: unknown) => e)) as CommandError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBeNull();
    expect(err.message).toMatch(/did not finish within 0.1 s/);
    expect(link.channels[0]?.closed).toBe(true);
    expect(link.channels[0]?.signals).toEqual(["KILL"]);
  });

  it("fails a running command with ConnectionError when the connection is lost", async () => {
    const link = new FakeLink(() => ({ hang: true }));
    const running = session(link).run(["sleep", "100"]);
    await new Promise((r) => setTimeout(r, 10));
    link.lose();
    await expect(running).rejects.toBeInstanceOf(ConnectionError);
  });

  it("fails with ConnectionError when the channel closes without an exit status", async () => {
    const link = new FakeLink(() => ({}));
    await expect(session(link).run(["true"])).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe("redaction", () => {
  const password = "correct horse battery staple";
  const pem =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";

  it("keeps the password and private keys out of command errors", async () => {
    const link = new FakeLink(() => ({
      code: 1,
      stderr: `login failed for ${password}\n${pem}\nPrivateKey = aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n`,
      stdout: `echoed ${password}`,
    }));
    const err = (await session(link, {}, [password])
      .run(["login", password])
      .catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    const everything = `${err.message}\n${err.command}\n${err.output}\n${err.stack}`;
    expect(everything).not.toContain(password);
    expect(everything).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(everything).not.toContain("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=");
    expect(err.command).toBe("login '[redacted]'");
    expect(err.output).toContain("[redacted]");
  });

  it("redacts the command of a successful result, but returns the output as the device sent it", async () => {
    const link = new FakeLink(() => ({ code: 0, stdout: "data" }));
    const r = await session(link, {}, [password]).run(["echo", password]);
    expect(r.command).toBe("echo '[redacted]'");
    expect(link.sent[0]).toContain(password);
  });

  it("redacts in timeouts too", async () => {
    const link = new FakeLink(() => ({ hang: true }));
    const err = (await session(link, {}, [password])
      .run(["x", password], { timeoutMs: 50 })
      .catch((e: unknown) => e)) as CommandError;
    expect(`${err.message}${err.command}`).not.toContain(password);
  });
});
