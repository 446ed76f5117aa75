// The change paths of the planner (plan/diff.ts), read back: `interfaces[eth0].addresses[192.0.2.5/26]`,
// `ospf.instances[mesh4].areas[0.0.0.0].interfaces[wg-b].cost`. Names are joined by '.', an item of
// a keyed list or a member of a set is named in brackets (its key may hold dots). Pure.

export interface Segment {
  name: string;
  /** The item's key (keyed list) or the member itself (set of scalars). */
  key?: string;
}

export function parseChangePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    const m = /^([A-Za-z_][A-Za-z0-9_-]*)/.exec(path.slice(i));
    if (!m?.[1]) return undefined;
    const seg: Segment = { name: m[1] };
    i += m[1].length;
    if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) return undefined;
      seg.key = path.slice(i + 1, close);
      i = close + 1;
    }
    out.push(seg);
    if (i === path.length) break;
    if (path[i] !== ".") return undefined;
    i += 1;
  }
  return out.length > 0 ? out : undefined;
}

/** The schema path of a change path: its names joined by '.', without keys (plan/keys.ts's form). */
export const schemaPathOf = (segments: readonly Segment[]) => segments.map((s) => s.name).join(".");
