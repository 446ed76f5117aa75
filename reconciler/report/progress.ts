// Progress while devices are read: one rewritten status line on a terminal, one line per device
// otherwise (CI logs). Always on stderr, so stdout stays clean for --json. Device names come from
// the inventory: escaped like any file text.
import { safeLine } from "./terminal-safe.ts";

export interface Progress {
  start(total: number): void;
  done(device: string, ok: boolean): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, label = "reading"): Progress {
  const tty = stream.isTTY === true;
  let total = 0;
  let finished = 0;
  const failed: string[] = [];
  return {
    start(n) {
      total = n;
      if (tty) stream.write(`${label} 0/${total} devices`);
    },
    done(name, ok) {
      const device = safeLine(name);
      finished++;
      if (!ok) failed.push(name);
      if (tty)
        stream.write(
          `\r\x1b[K${label} ${finished}/${total} devices${failed.length ? ` (${failed.length} failed)` : ""}: ${device}`,
        );
      else stream.write(`${label} ${device}: ${ok ? "ok" : "failed"} (${finished}/${total})\n`);
    },
    finish() {
      if (tty) stream.write("\r\x1b[K");
    },
  };
}
