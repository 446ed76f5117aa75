// Test helper: an export's text split into its commands, each as the head (`add`, `set [ find … ]`,
// `/ip address add` in terse) and its written tokens, to re-lay them out with the simulator's
// wrapping and compare line for line.
import type { Token } from "../../sim/routeros/wrap.ts";

export interface ExportCommand {
  /** the physical lines, without line ends */
  lines: string[];
  head: string;
  tokens: Token[];
}

/** Splits at blanks outside quotes and brackets. */
function words(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      cur += c;
      if (c === "\\") cur += text[++i] ?? "";
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    if (c === "[") depth++;
    if (c === "]") depth--;
    if (c === " " && depth === 0) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

export function exportCommands(text: string): ExportCommand[] {
  const physical = text.replace(/\r\n/g, "\n").split("\n");
  const out: ExportCommand[] = [];
  for (let i = 0; i < physical.length; i++) {
    const first = physical[i] as string;
    if (first === "" || first.startsWith("#") || /^\/[a-z0-9 -]+$/.test(first)) continue;
    const lines = [first];
    while ((lines[lines.length - 1] as string).endsWith("\\") && i + 1 < physical.length)
      lines.push(physical[++i] as string);
    const logical = lines
      .map((l, k) => (k === 0 ? l : l.replace(/^ {4}/, "")))
      .map((l, k, a) => (k < a.length - 1 ? l.slice(0, -1) : l))
      .join("");
    const w = words(logical);
    // the head: the path words (terse), the command word and, for `set`, the item it names
    let h = w.findIndex((x) => x === "add" || x === "set" || x === "remove") + 1;
    const item = w[h];
    if (w[h - 1] === "set" && item !== undefined && (item.startsWith("[") || !item.includes("="))) h++;
    const head = w.slice(0, h).join(" ");
    const tokens: Token[] = w.slice(h).map((t) => {
      const eq = t.indexOf("=");
      return eq > 0 ? { key: t.slice(0, eq), value: t.slice(eq + 1) } : { value: t };
    });
    out.push({ lines, head, tokens });
  }
  return out;
}
