// Values that change on their own between two reads of an unchanged device (times, ages,
// counters) are masked in the drift report, so that the same drift reads the same night after
// night and a drift pull request is updated only when the drift itself changes. Pure.

const PATTERNS: [RegExp, string][] = [
  // ISO timestamps and dates: 2026-11-29T21:50:26.269Z, 2026-11-29 21:50:26
  [/\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?\b/g, "<time>"],
  // Clock times as bird prints them (since 21:50:26.269)
  [/\b\d{2}:\d{2}:\d{2}(\.\d+)?\b/g, "<time>"],
  // Ages and durations: 3d 04h, 12 s ago, 1h2m3s
  [/\b\d+(\.\d+)?\s?(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)\s+ago\b/g, "<age> ago"],
  [/\b(\d+[dhms]){2,4}\b/g, "<duration>"],
  // Epoch seconds (10 digits) and byte or packet counters next to their unit
  [/\b1\d{9}\b/g, "<epoch>"],
  [/\b\d+\s?(bytes|packets|B|KiB|MiB|GiB)\b/g, "<count> $1"],
];

export function maskVolatile(text: string): string {
  let out = text;
  for (const [re, by] of PATTERNS) out = out.replace(re, by);
  return out;
}
