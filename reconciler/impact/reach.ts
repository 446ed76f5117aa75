// Follows the tables hop by hop, as a packet would, from a router towards a prefix: each router
// forwards by longest-prefix match. Every equal-cost branch is followed; traffic is delivered
// only when every branch delivers (ECMP hashes flows onto all of them).
import { lengthsOf, longestMatch } from "./lpm.ts";
import type { PathResult, Reach, Route } from "./model.ts";

const SEVERITY: Record<Reach, number> = { delivered: 0, leaves: 1, blackhole: 2, "no-route": 3, loop: 4 };

type Lengths = ReturnType<typeof lengthsOf>;

/** Path lookups over one set of tables, memoised per destination prefix. */
export class Walker {
  private readonly lengths = new Map<string, Lengths>();
  private readonly memo = new Map<string, Map<string, PathResult>>();

  constructor(private readonly tables: ReadonlyMap<string, ReadonlyMap<string, Route>>) {}

  /** The route a router uses for the prefix (longest match), if any. */
  lookup(router: string, prefix: string): Route | undefined {
    const table = this.tables.get(router);
    if (!table) return undefined;
    let l = this.lengths.get(router);
    if (!l) {
      l = lengthsOf(table.keys());
      this.lengths.set(router, l);
    }
    const key = longestMatch(table, l, prefix);
    return key === undefined ? undefined : table.get(key);
  }

  path(router: string, prefix: string): PathResult {
    let memo = this.memo.get(prefix);
    if (!memo) {
      memo = new Map();
      this.memo.set(prefix, memo);
    }
    return this.walk(router, prefix, memo, new Set());
  }

  /** Every router the traffic can pass after the first one (all branches), sorted. */
  through(router: string, prefix: string): string[] {
    const seen = new Set<string>();
    const todo = [router];
    while (todo.length > 0) {
      const r = todo.pop() as string;
      const route = this.lookup(r, prefix);
      if (!route || route.source === "connected") continue;
      for (const h of route.nextHops) {
        if (seen.has(h.router) || h.router === router) continue;
        seen.add(h.router);
        todo.push(h.router);
      }
    }
    return [...seen].sort();
  }

  private walk(
    router: string,
    prefix: string,
    memo: Map<string, PathResult>,
    onPath: Set<string>,
  ): PathResult {
    const known = memo.get(router);
    if (known) return known;
    if (onPath.has(router)) return { reach: "loop", through: [] };
    const route = this.lookup(router, prefix);
    let result: PathResult;
    if (!route) result = { reach: "no-route", through: [] };
    else if (route.source === "connected") result = { reach: "delivered", route, through: [] };
    else if (route.blackhole) result = { reach: "blackhole", route, through: [] };
    else if (route.nextHops.length === 0) result = { reach: "leaves", route, through: [] };
    else {
      onPath.add(router);
      let reach: Reach = "delivered";
      for (const h of route.nextHops) {
        const sub = this.walk(h.router, prefix, memo, onPath);
        if (SEVERITY[sub.reach] > SEVERITY[reach]) reach = sub.reach;
      }
      onPath.delete(router);
      result = { reach, route, through: [] };
    }
    // A loop seen from inside the cycle depends on where the walk entered it: not memoised.
    if (result.reach !== "loop") memo.set(router, result);
    return result;
  }
}
