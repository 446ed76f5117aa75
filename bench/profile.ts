// Reads a V8 CPU profile (node --cpu-prof) and says where the time went: self time per function
// and per area (the TypeScript loader, schema validation, YAML, SSH, the reconciler's own code).
// The profile is the tool's own output, read from a directory this benchmark created.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a script belongs to, by its URL. */
export function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) {
    const pkg = m[1] as string;
    if (pkg === "tsx" || pkg === "esbuild" || pkg === "get-tsconfig") return "tsx (transpiling the sources)";
    return pkg;
  }
  if (url.startsWith("node:")) return "node built-ins";
  const r = /\/reconciler\/([^/]+)\//.exec(url);
  if (r) return `reconciler/${r[1]}`;
  return "other";
}

export function summarizeProfile(p: CpuProfile, top = 15) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const byFn = new Map<string, { fn: string; url: string; ms: number }>();
  const byArea: Record<string, number> = {};
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const fn = functionName || "(anonymous)";
    const key = `${fn}\t${url}:${lineNumber}`;
    const e = byFn.get(key) ?? {
      fn,
      url: `${url.replace(/^file:\/\/.*?\/(node_modules|reconciler)\//, "$1/")}:${lineNumber + 1}`,
      ms: 0,
    };
    e.ms += us / 1000;
    byFn.set(key, e);
    const a = area(url, fn);
    byArea[a] = (byArea[a] ?? 0) + us / 1000;
  }
  const topSelf = [...byFn.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
  return { topSelf, byArea };
}
