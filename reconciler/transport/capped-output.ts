// One stream of a command's output, kept up to a cap. A device can print without end (a broken
// daemon, a hostile shell); keeping it all would exhaust memory and make a Buffer too long to
// decode, which used to throw from a timer and kill the whole run.

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** True once more than `limit` bytes arrived; what arrived past the cap is dropped. */
  overflowed = false;

  constructor(readonly limit: number) {}

  /** Keeps `chunk` up to the cap; returns false when the cap was exceeded. */
  push(chunk: Buffer): boolean {
    if (this.overflowed) return false;
    const room = this.limit - this.kept;
    if (chunk.length > room) {
      if (room > 0) this.chunks.push(chunk.subarray(0, room));
      this.kept = this.limit;
      this.overflowed = true;
      return false;
    }
    this.chunks.push(chunk);
    this.kept += chunk.length;
    return true;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  /**
   * The last `chars` characters (about), decoded: only the end is decoded, so this stays cheap
   * however much was kept. A character cut at the start decodes as U+FFFD.
   */
  tail(chars: number): string {
    const maxBytes = chars * 4;
    const all = this.bytes();
    const cut = all.length > maxBytes;
    const text = (cut ? all.subarray(all.length - maxBytes) : all).toString("utf8").trimEnd();
    return cut || text.length > chars ? `…${text.slice(-chars)}` : text;
  }
}
