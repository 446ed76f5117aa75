// Runs the real CLI (bin/reconciler.js) as an operator would, capturing output and exit code.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./example-repo.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "reconciler.js"), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As runCli, without blocking this process's event loop (needed when the test itself serves traffic). */
export async function runCliAsync(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  // A pattern that never matches: the CLI runs to its end.
  const { code, stdout, stderr } = await runCliKilledAt(args, /(?!)/, opts);
  return { code, stdout, stderr };
}

/**
 * Runs the CLI and sends it `signal` the moment its stderr (or stdout, with watch: "stdout") matches
 * `when`: a crash (SIGKILL) or an operator's Ctrl-C (SIGINT) at a chosen step of an apply, or the
 * stop of a watch loop once it logged an event. `signalled` says whether it was sent.
 */
export function runCliKilledAt(
  args: string[],
  when: RegExp,
  opts: {
    cwd?: string;
    env?: Record<string, string>;
    signal?: NodeJS.Signals;
    watch?: "stdout" | "stderr";
  } = {},
): Promise<CliResult & { signalled: boolean; exitSignal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "reconciler.js"), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    const check = () => {
      if (!signalled && when.test(opts.watch === "stdout" ? stdout : stderr)) {
        signalled = true;
        child.kill(opts.signal ?? "SIGKILL");
      }
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code, exitSignal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, signalled, exitSignal });
    });
  });
}
