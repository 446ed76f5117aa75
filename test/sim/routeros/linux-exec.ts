// Running the Linux tools the backing drives: argument arrays only (no shell), a time limit, and
// a bounded output (what a daemon prints is not trusted to be small).
import { execFileSync } from "node:child_process";

const MAX_OUTPUT = 1024 * 1024;

export interface ExecOutcome {
  ok: boolean;
  out: string;
  err: string;
}

/** Runs `file args…`; never throws: a failed command is reported, the caller decides. */
export function execTool(file: string, args: readonly string[], input?: string): ExecOutcome {
  try {
    const out = execFileSync(file, args, {
      input: input ?? "",
      timeout: 10_000,
      maxBuffer: MAX_OUTPUT,
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C" },
    });
    return { ok: true, out: out.toString("utf8"), err: "" };
  } catch (e) {
    const x = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    return {
      ok: false,
      out: x.stdout?.toString("utf8") ?? "",
      err: (x.stderr?.toString("utf8") || x.message).slice(0, 2000),
    };
  }
}
