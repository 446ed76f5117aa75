// `where` / `find` conditions (help.mikrotik.com "Console": print where; "Scripting": find):
// `key=value`, `key!=value`, `key~"regex"`, a bare `key` (true when yes), `!key`, `and`, `or`, `not`.
// `and` binds tighter than `or`.
import { expectedEndOfCommand } from "./errors.ts";
import { type Item, literal, type Value } from "./lexer.ts";
import type { Menu } from "./schema.ts";

type Pred = (values: Record<string, string>) => boolean;

const truthy = (v: string | undefined) => v === "yes" || v === "true";
const same = (a: string | undefined, b: string) => {
  if (a === undefined) return b === "";
  if ((b === "true" || b === "yes") && truthy(a)) return true;
  if ((b === "false" || b === "no") && (a === "no" || a === "false")) return true;
  return a === b;
};

export function compileWhere(menu: Menu, items: Item[], str: (v: Value) => string): Pred {
  void menu;
  const ors: Pred[][] = [[]];
  let negate = false;
  for (let k = 0; k < items.length; k++) {
    const it = items[k] as Item;
    let pred: Pred;
    if (it.key !== undefined) {
      const value = str(it.value);
      if (it.key.endsWith("!")) {
        const key = it.key.slice(0, -1);
        pred = (v) => !same(v[key], value);
      } else {
        const key = it.key;
        pred = (v) => same(v[key], value);
      }
    } else {
      const w = it.value.kind === "string" && !it.value.quoted ? literal(it.value) : undefined;
      if (w === undefined) throw expectedEndOfCommand(it.pos);
      if (w === "and") continue;
      if (w === "or") {
        ors.push([]);
        continue;
      }
      if (w === "not" || w === "!") {
        negate = !negate;
        continue;
      }
      if (w.endsWith("~")) {
        const key = w.slice(0, -1);
        const next = items[++k];
        if (!next) throw expectedEndOfCommand(it.pos);
        const re = new RegExp(str(next.value));
        pred = (v) => re.test(v[key] ?? "");
      } else if (w.startsWith("!")) {
        const key = w.slice(1);
        pred = (v) => !truthy(v[key]);
      } else pred = (v) => truthy(v[w]);
    }
    const n = negate;
    negate = false;
    (ors[ors.length - 1] as Pred[]).push(n ? (v) => !pred(v) : pred);
  }
  if (ors.length === 1 && ors[0]?.length === 0) return () => true;
  return (v) => ors.some((ands) => ands.every((p) => p(v)));
}
