// flock(2) on a file from Node (which has no flock): util-linux `flock FILE` holds the lock while
// its child waits on stdin, so the lock is the same kind PHP's flock() takes in Config.php, shared
// with any other flock(2) user of the file (OPNsense's `lockf -k`, a driver's script). The lock
// goes when this process closes the pipe or dies.
import { spawn } from "node:child_process";

export interface Held {
  release(): Promise<void>;
}

/** Takes an exclusive flock on `path` (waiting for it); `flockBin` is util-linux's flock. */
export function flockExclusive(path: string, flockBin = "flock"): Promise<Held> {
  return new Promise((resolve, reject) => {
    // The inner sh prints once the lock is held, then blocks until stdin closes.
    const child = spawn(flockBin, ["-x", path, "sh", "-c", "echo locked; exec cat >/dev/null"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let err = "";
    let held = false;
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.on("error", reject);
    const exited = new Promise<void>((done) => child.on("close", () => done()));
    child.stdout.on("data", (b: Buffer) => {
      if (held || !b.toString().includes("locked")) return;
      held = true;
      resolve({
        release: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
    child.on("close", (code) => {
      if (!held) reject(new Error(`flock ${path} failed (${code}): ${err.trim()}`));
    });
  });
}
