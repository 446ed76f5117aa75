// Progress on stderr (stdout stays clean for --json), in two shapes:
//   on a terminal: one line rewritten in place (reading: devices done; a rollout: one line per
//     wave with its device counts, the step most devices are at and the elapsed time), the
//     failures printed above it as they happen, each wave's last state left on screen;
//   elsewhere (CI logs, files): plain lines, one per event, nothing rewritten.
// Device names come from the inventory and details from devices: escaped like any file text.
import { safeLine, safeMessage } from "./terminal-safe.ts";

const CLEAR = "\r\x1b[K";

/** Where progress goes: a stream that may be a terminal, and how many columns it has. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** m:ss, or h:mm:ss past an hour. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/** A rewritten line never wider than the terminal: a wrapped line cannot be rewritten. */
function toWidth(line: string, columns: number | undefined): string {
  const width = (columns ?? 80) - 1;
  return line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
}

export interface Progress {
  start(total: number): void;
  done(device: string, ok: boolean): void;
  finish(): void;
}

export function createProgress(
  stream: ProgressStream = process.stderr,
  label = "reading",
  now: () => number = Date.now,
): Progress {
  const tty = stream.isTTY === true;
  let total = 0;
  let finished = 0;
  let started = now();
  const failed: string[] = [];
  return {
    start(n) {
      total = n;
      started = now();
      if (tty) stream.write(toWidth(`${label} 0/${total} devices`, stream.columns));
    },
    done(name, ok) {
      const device = safeLine(name);
      finished++;
      if (!ok) failed.push(name);
      if (tty)
        stream.write(
          CLEAR +
            toWidth(
              `${label} ${finished}/${total} devices${failed.length ? ` (${failed.length} failed)` : ""}, ${elapsed(now() - started)}: ${device}`,
              stream.columns,
            ),
        );
      else stream.write(`${label} ${device}: ${ok ? "ok" : "failed"} (${finished}/${total})\n`);
    },
    finish() {
      if (tty) stream.write(CLEAR);
    },
  };
}

export interface WaveProgress {
  /** A wave starts (index from 0); the first call also says how the run goes. */
  wave(index: number, of: number, devices: readonly string[], canary: boolean): void;
  /** A device finished a step of the apply (connect, lock, stage, arm, commit, confirm, ...). */
  step(device: string, step: string, ok: boolean, detail?: string): void;
  soak(seconds: number): void;
  /** A line of our own (an interrupt's notice): above the wave's line, which is then redrawn. */
  note(text: string): void;
  /** The rollout ended: the last wave's line is left as it stands. */
  finish(): void;
}

export interface WaveProgressOptions {
  /** How the run is announced before its first wave, given the number of waves (both shapes). */
  announce: (waves: number) => string;
  now?: () => number;
}

/** The progress of a rollout (apply, rollback), wave by wave. */
export function createWaveProgress(stream: ProgressStream, opts: WaveProgressOptions): WaveProgress {
  const tty = stream.isTTY === true;
  const now = opts.now ?? Date.now;
  const runStart = now();
  let title = "";
  let waveStart = runStart;
  /** Each device of the wave: the last step it finished, and whether it failed. */
  let devices = new Map<string, { step: string; failed: boolean }>();
  let open = false;

  const line = (): string => {
    const all = [...devices.values()];
    const failed = all.filter((d) => d.failed).length;
    const confirmed = all.filter((d) => !d.failed && (d.step === "confirm" || d.step === "unlock")).length;
    // The step most devices still at work have finished: where the wave stands.
    const counts = new Map<string, number>();
    for (const d of all)
      if (!d.failed && !["waiting", "confirm", "unlock"].includes(d.step))
        counts.set(d.step, (counts.get(d.step) ?? 0) + 1);
    const busiest = [...counts].sort((a, b) => b[1] - a[1])[0];
    const at = busiest ? `, ${busiest[1]} past ${busiest[0]}` : "";
    return `${title}: ${confirmed}/${all.length} confirmed${failed ? `, ${failed} failed` : ""}${at} · ${elapsed(now() - waveStart)} (run ${elapsed(now() - runStart)})`;
  };
  const redraw = () => {
    if (tty) stream.write(CLEAR + toWidth(line(), stream.columns));
  };
  const close = () => {
    if (tty && open) stream.write(`${CLEAR}${toWidth(line(), stream.columns)}\n`);
    open = false;
  };

  return {
    wave(index, of, names, canary) {
      close();
      if (index === 0) stream.write(`${opts.announce(of)}\n`);
      title = of > 1 ? `wave ${index + 1}/${of}${canary ? " (canary)" : ""}` : "devices";
      waveStart = now();
      devices = new Map(names.map((n) => [n, { step: "waiting", failed: false }]));
      if (tty) {
        open = true;
        redraw();
      } else if (of > 1) stream.write(`${title}: ${names.map(safeLine).join(", ")}\n`);
    },
    step(device, step, ok, detail) {
      const d = devices.get(device) ?? { step, failed: false };
      devices.set(device, { step, failed: d.failed || !ok });
      const text = `  ${safeLine(device)}: ${step} ${ok ? "ok" : `FAILED${detail ? `: ${safeMessage(detail, "    | ")}` : ""}`}\n`;
      if (!tty) {
        stream.write(text);
        return;
      }
      // A failure stays on screen above the wave's line; successes only move the line.
      if (!ok) stream.write(CLEAR + text);
      redraw();
    },
    soak(seconds) {
      close();
      stream.write(`soaking ${seconds} s before the next wave\n`);
    },
    note(text) {
      if (tty && open) {
        stream.write(`${CLEAR}${text}\n`);
        redraw();
      } else stream.write(`${text}\n`);
    },
    finish() {
      close();
    },
  };
}
