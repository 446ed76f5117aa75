// Waits until f() returns a value (undefined and thrown errors mean "not yet"), or fails naming
// what it waited for and the last error seen.
export async function poll<T>(
  what: string,
  timeoutMs: number,
  f: () => Promise<T | undefined>,
  intervalMs = 500,
): Promise<T> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ""}`);
}
