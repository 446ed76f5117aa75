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
  // The ESM loader (and its hooks thread, which tsx uses when the sources run uncompiled).
  if (url.startsWith("node:internal/modules/")) return "node module loading";
  if (url.startsWith("node:")) return "node built-ins";
  // The last "/reconciler/" is the package's source (or compiled) tree: a snapshot's own
  // directory may be called reconciler too.
  const at = url.lastIndexOf("/reconciler/");
  if (at >= 0) {
    const dir = url.slice(at + "/reconciler/".length).split("/")[0];
    if (dir && url.slice(at).split("/").length > 3) return `reconciler/${dir}`;
  }
  return "other";
}

/** A script's URL from the package's point of view (node_modules/..., reconciler/...). */
export function short(url: string): string {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + 1);
  const r = url.lastIndexOf("/reconciler/");
  return r >= 0 ? url.slice(r + 1) : url;
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
      url: `${short(url)}:${lineNumber + 1}`,
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
