// How deeply a YAML text nests, measured on the library's concrete syntax tree, before the
// document is built. Building it recurses once per level: a few thousand "[" (or "- - - ...")
// overflow the stack, and once V8 has optimised the library's regular expressions such an
// overflow is no longer a catchable RangeError but a fatal "out of memory" that kills the
// process (seen with Node 20 and yaml 2.9). The lexer and parser are iterative, so measuring
// here is safe for any input.
import { type CST, Parser } from "yaml";

/** Far beyond any real inventory or device file (they nest fewer than 15 levels). */
export const MAX_DEPTH = 64;

/** Offset of the first collection nested deeper than `limit`, or undefined when none is. */
export function tooDeepAt(text: string, limit = MAX_DEPTH): number | undefined {
  const stack: { token: CST.Token | null | undefined; depth: number }[] = [];
  for (const token of new Parser().parse(text)) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as (typeof stack)[number];
    if (!token) continue;
    switch (token.type) {
      case "document":
        stack.push({ token: token.value, depth });
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection": {
        if (depth + 1 > limit) return token.offset;
        for (const item of token.items) {
          const { key, value } = item as { key?: CST.Token | null; value?: CST.Token };
          stack.push({ token: key, depth: depth + 1 }, { token: value, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}
