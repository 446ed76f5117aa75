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

  it("prefixes `sudo -n` for run, script and readFiles when the inventory says sudo", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    const s = session(link, { sudo: true });
    await s.run(["wg", "show"]);
    await s.script("cat /etc/bird/bird.conf; echo $?");
    await s.readFiles(["/etc/hostname"]).catch(() => undefined);
    expect(link.sent[0]).toBe("sudo -n wg show");
    expect(link.sent[1]).toBe(`sudo -n sh '-c' 'cat /etc/bird/bird.conf; echo $?'`);
    expect(link.sent[2]).toMatch(/^sudo -n sh '-c' 'r\(\) \{/);
  });

  it("runs scripts as sh -c without sudo otherwise", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    await session(link).script("echo hi");
    expect(link.sent).toEqual([`sh '-c' 'echo hi'`]);
  });

  it("writes stdin to the channel and then ends it", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    const s = session(link);
    await s.run(["tee", "/tmp/x"], { stdin: "content\n" });
    await s.run(["true"]);
    expect(link.channels[0]?.stdin).toBe("content\n");
    expect(link.channels[1]?.stdin).toBeUndefined();
  });

  it("sends a raw command line as is with runLine (for non-shell CLIs)", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    await session(link, { sudo: true }).runLine('/interface wireguard print detail where name="wg0"');
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

describe("readFiles", () => {
  it("maps the framed output back to files, in one command", async () => {
    let nonce = "";
    const link = new FakeLink((command) => {
      nonce = /(rcl-[0-9a-f]{24})/.exec(command)?.[1] ?? "";
      return {
        code: 0,
        stdout: `${nonce} 0 3\nabc${nonce} 1 missing\n${nonce} end\n`,
      };
    });
    const got = await session(link).readFiles(["/etc/a", "/etc/b"]);
    expect(nonce).not.toBe("");
    expect(got).toEqual({ "/etc/a": "abc", "/etc/b": null });
    expect(link.sent).toHaveLength(1);
  });

  it("throws CommandError naming a path that is not a readable file", async () => {
    const link = new FakeLink((command) => {
      const nonce = /(rcl-[0-9a-f]{24})/.exec(command)?.[1] ?? "";
      return { code: 0, stdout: `${nonce} 0 unreadable\n${nonce} end\n` };
    });
    await expect(session(link).readFiles(["/etc/dir"])).rejects.toThrow(/cannot read \/etc\/dir/);
  });

  it("throws CommandError on garbled output", async () => {
    const link = new FakeLink(() => ({ code: 0, stdout: "Welcome to the router!\n" }));
    await expect(session(link).readFiles(["/etc/a"])).rejects.toBeInstanceOf(CommandError);
  });

  it("validates paths before sending anything", async () => {
    const link = new FakeLink(() => ({ code: 0 }));
    await expect(session(link).readFiles(["etc/a"])).rejects.toThrow(/not absolute/);
    await expect(session(link).readFiles(["/etc/a\n; reboot"])).rejects.toThrow(/newline/);
    expect(link.sent).toEqual([]);
    expect(await session(link).readFiles([])).toEqual({});
  });
});
