// Per-device backoff of the watch loop: a device whose rollout failed is left out of the next
// attempts for 1, 2, 4, ... intervals (at most `maxIntervals`), so that one broken device does not
// make every loop a failed run, and is tried again alone once its time has come. A success clears
// it. Pure: times are given.

export interface BackoffEntry {
  failures: number;
  /** Epoch ms before which the device is left out. */
  until: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();
  constructor(
    private readonly intervalMs: number,
    private readonly maxIntervals = 64,
  ) {}

  failed(device: string, now: number): BackoffEntry {
    const failures = (this.entries.get(device)?.failures ?? 0) + 1;
    const wait = Math.min(2 ** (failures - 1), this.maxIntervals) * this.intervalMs;
    const entry = { failures, until: now + wait };
    this.entries.set(device, entry);
    return entry;
  }

  succeeded(device: string): void {
    this.entries.delete(device);
  }

  /** Devices left out now, with when they are tried again. */
  waiting(now: number): Map<string, BackoffEntry> {
    return new Map([...this.entries].filter(([, e]) => e.until > now));
  }
}
