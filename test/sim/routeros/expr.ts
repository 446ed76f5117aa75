// `( … )` expressions (help.mikrotik.com "Scripting": Operators): `!`, `.` concatenation,
// `+ - * /`, comparisons `= != < > <= >=`, `&&` / `and`, `||` / `or`, `in` (an element of an
// array). Operands: strings, numbers, `$variables`, `[ command ]` results, nested `( )`.
// Values stay RouterOS values: a `find` result is an array, true/false are "true"/"false".
import { RosError } from "./errors.ts";
import type { ExprToken, Value } from "./lexer.ts";

export type EVal = string | string[] | Record<string, string>[] | undefined;

const LEVELS: string[][] = [
  ["||", "or"],
  ["&&", "and"],
  ["=", "!=", "<", ">", "<=", ">="],
  [".", "+", "-"],
  ["*", "/"],
];

const truthy = (v: EVal) => v === "true" || v === "yes";
const num = (v: EVal) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : undefined);
const str = (v: EVal): string =>
  v === undefined ? "" : typeof v === "string" ? v : v.map((x) => (typeof x === "string" ? x : "")).join(";");

function apply(op: string, a: EVal, b: EVal): EVal {
  const na = num(a);
  const nb = num(b);
  switch (op) {
    case "||":
    case "or":
      return String(truthy(a) || truthy(b));
    case "&&":
    case "and":
      return String(truthy(a) && truthy(b));
    case "=":
      return String(Array.isArray(a) || Array.isArray(b) ? str(a) === str(b) : (a ?? "") === (b ?? ""));
    case "!=":
      return String(str(a) !== str(b));
    case "<":
    case ">":
    case "<=":
    case ">=": {
      const [x, y] = na !== undefined && nb !== undefined ? [na, nb] : [str(a), str(b)];
      return String(op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y);
    }
    case ".":
      return str(a) + str(b);
    case "+":
    case "-":
    case "*":
    case "/": {
      if (na === undefined || nb === undefined) throw new RosError("cannot do arithmetics on non-numbers");
      const r = op === "+" ? na + nb : op === "-" ? na - nb : op === "*" ? na * nb : Math.trunc(na / nb);
      return String(r);
    }
    case "in":
      return String(Array.isArray(b) ? (b as string[]).includes(str(a)) : str(b).split(";").includes(str(a)));
    default:
      throw new RosError("syntax error");
  }
}

export function evaluate(tokens: ExprToken[], operand: (v: Value) => EVal): EVal {
  let i = 0;
  const primary = (): EVal => {
    const t = tokens[i++];
    if (!t) throw new RosError("syntax error");
    if ("op" in t) {
      if (t.op === "!") return String(!truthy(primary()));
      if (t.op === "-") return String(-(num(primary()) ?? 0));
      throw new RosError("syntax error", t.pos);
    }
    if ("group" in t) return evaluate(t.group, operand);
    return operand(t.value);
  };
  const level = (n: number): EVal => {
    if (n >= LEVELS.length) return primary();
    let left = level(n + 1);
    for (;;) {
      const t = tokens[i];
      if (!t || !("op" in t) || !(LEVELS[n] as string[]).includes(t.op)) {
        if (n === 2 && t && "op" in t && t.op === "in") {
          i++;
          left = apply("in", left, level(n + 1));
          continue;
        }
        return left;
      }
      i++;
      left = apply(t.op, left, level(n + 1));
    }
  };
  if (tokens.length === 0) return "";
  const v = level(0);
  if (i < tokens.length) throw new RosError("syntax error");
  return v;
}
