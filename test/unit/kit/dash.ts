// Runs the kit's scripts in this machine's dash, the strictest common POSIX sh: `dash -n` for
// syntax, and a real run, the way the transport sends them (stdin of `sh -s`).
import { spawnSync } from "node:child_process";

export function dashSyntax(script: string): string {
  const r = spawnSync("dash", ["-n"], { input: script, encoding: "utf8" });
  return r.status === 0 ? "ok" : r.stderr;
}

export function dash(
  script: string,
  env: Record<string, string> = {},
): { stdout: string; status: number | null } {
  const r = spawnSync("dash", ["-s"], {
    input: `{\n${script}\n} </dev/null\n`,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return { stdout: r.stdout, status: r.status };
}
