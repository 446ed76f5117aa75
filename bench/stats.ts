// Medians over rounds and ratios between tools, computed from the same run.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** a / b, or undefined when either is missing or b is not positive (no ratio to a zero floor). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0)
    return undefined;
  return a / b;
}

/** One measurement of one tool: every field a number (undefined when it could not be measured). */
export type Sample = Record<string, number | undefined>;

/** The median of each field over the rounds (fields missing in some rounds: median of the others). */
export function medianSample(rounds: readonly Sample[]): Sample {
  const keys = new Set(rounds.flatMap((r) => Object.keys(r)));
  const out: Sample = {};
  for (const k of [...keys].sort()) {
    const vs = rounds.map((r) => r[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    out[k] = vs.length > 0 ? median(vs) : undefined;
  }
  return out;
}

/**
 * Per extra device: the slope of a least-squares line through (n, value); undefined with fewer
 * than two distinct sizes. What a tool costs per device, apart from its fixed start-up.
 */
export function perDevice(points: readonly { n: number; value: number }[]): number | undefined {
  const ns = new Set(points.map((p) => p.n));
  if (ns.size < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.n, 0) / points.length;
  const my = points.reduce((s, p) => s + p.value, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.n - mx) * (p.value - my);
    den += (p.n - mx) ** 2;
  }
  return num / den;
}
