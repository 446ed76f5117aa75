// Single points of failure of the routing graph (OSPF adjacencies, all domains together): the
// links that are bridges and the devices that are articulation points, i.e. whose loss alone
// splits a connected part of the network in two (Tarjan's low-link, iterative: no stack limit).

export interface SinglePoints {
  links: string[];
  devices: string[];
}

export function singlePoints(adjacencies: readonly { link: string; a: string; b: string }[]): SinglePoints {
  const nodes = new Map<string, { to: string; edge: number }[]>();
  const add = (x: string, y: string, edge: number) => {
    let l = nodes.get(x);
    if (!l) {
      l = [];
      nodes.set(x, l);
    }
    l.push({ to: y, edge });
  };
  adjacencies.forEach((e, i) => {
    if (e.a === e.b) return;
    add(e.a, e.b, i);
    add(e.b, e.a, i);
  });
  // Parallel links between the same two devices back each other up: count them per pair.
  const pairs = new Map<string, number>();
  for (const e of adjacencies) {
    const k = e.a < e.b ? `${e.a}\n${e.b}` : `${e.b}\n${e.a}`;
    pairs.set(k, (pairs.get(k) ?? 0) + 1);
  }
  const disc = new Map<string, number>();
  const low = new Map<string, number>();
  const bridges = new Set<string>();
  const cuts = new Set<string>();
  let time = 0;
  for (const root of [...nodes.keys()].sort()) {
    if (disc.has(root)) continue;
    disc.set(root, time);
    low.set(root, time++);
    let rootChildren = 0;
    const stack: { node: string; parentEdge: number; i: number }[] = [{ node: root, parentEdge: -1, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as (typeof stack)[number];
      const list = nodes.get(top.node) ?? [];
      if (top.i < list.length) {
        const { to, edge } = list[top.i++] as { to: string; edge: number };
        if (edge === top.parentEdge) continue;
        if (!disc.has(to)) {
          disc.set(to, time);
          low.set(to, time++);
          if (top.node === root) rootChildren++;
          stack.push({ node: to, parentEdge: edge, i: 0 });
        } else low.set(top.node, Math.min(low.get(top.node) as number, disc.get(to) as number));
        continue;
      }
      stack.pop();
      const parent = stack[stack.length - 1];
      if (!parent) continue;
      const lc = low.get(top.node) as number;
      low.set(parent.node, Math.min(low.get(parent.node) as number, lc));
      if (lc > (disc.get(parent.node) as number)) {
        const e = adjacencies[top.parentEdge] as { link: string; a: string; b: string };
        const k = e.a < e.b ? `${e.a}\n${e.b}` : `${e.b}\n${e.a}`;
        if ((pairs.get(k) ?? 0) === 1) bridges.add(e.link);
      }
      if (parent.node !== root && lc >= (disc.get(parent.node) as number)) cuts.add(parent.node);
    }
    if (rootChildren > 1) cuts.add(root);
  }
  return { links: [...bridges].sort(), devices: [...cuts].sort() };
}
