// Device and file text reaches the terminal only escaped: no control sequence of it can act on the
// terminal, and no line of it can pass for one of ours.
import { describe, expect, it } from "vitest";
import { deviceLines, safeText } from "../../../reconciler/report/terminal-safe.ts";

describe("safeText", () => {
  it("shows ANSI, OSC, carriage returns and backspaces as visible escapes", () => {
    expect(safeText("a\x1b[2K\rNo changes.")).toBe("a\\x1b[2K\\x0dNo changes.");
    expect(safeText("\x1b]0;owned\x07x")).toBe("\\x1b]0;owned\\x07x");
    expect(safeText("ab\b\bcd")).toBe("ab\\x08\\x08cd");
    expect(safeText("\0\x7f")).toBe("\\x00\\x7f");
  });

  it("escapes C1 controls (a one-character CSI) and bidi overrides and isolates", () => {
    expect(safeText("\u009b2K")).toBe("\\x9b2K");
    expect(safeText("\u0080\u009f")).toBe("\\x80\\x9f");
    expect(safeText("a\u202eb\u2066c\u2069\u202a")).toBe("a\\u202eb\\u2066c\\u2069\\u202a");
  });

  it("keeps newlines, tabs and ordinary Unicode", () => {
    expect(safeText("a\tb\nc é ⏎ 🙂 \u00a0")).toBe("a\tb\nc é ⏎ 🙂 \u00a0");
  });

  it("leaves no control character but newline and tab in any input", () => {
    let all = "";
    for (let c = 0; c < 0x300; c++) all += String.fromCharCode(c);
    all += "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    const out = safeText(all);
    const left = [...out].filter((c) => c !== "\n" && c !== "\t" && !/^[\x20-\x7e\u00a0-\u0300]$/.test(c));
    expect(left).toEqual([]);
  });
});

describe("deviceLines", () => {
  it("prefixes every line, so a multi-line notice cannot start a line of ours", () => {
    const text = "motd\nr2 (debian): no changes\n\nPlan from HEAD: 0 to change";
    expect(deviceLines(text, "  | ")).toBe(
      "  | motd\n  | r2 (debian): no changes\n  | \n  | Plan from HEAD: 0 to change",
    );
  });

  it("escapes before prefixing: a carriage return cannot return to column 0 over the prefix", () => {
    expect(deviceLines("x\r\x1b[2KNo changes.", "  | ")).toBe("  | x\\x0d\\x1b[2KNo changes.");
  });
});
