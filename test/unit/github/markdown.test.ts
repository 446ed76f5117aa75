// The pieces of text for GitHub: cutting to a size in bytes, fences, markers, table cells.
import { describe, expect, it } from "vitest";
import {
  byteLength,
  cutToFit,
  fenceFor,
  hiddenMarker,
  inlineText,
  markedBody,
  prefixWithin,
  stripAnsi,
} from "../../../reconciler/github/markdown.ts";
import { planConclusion, planHeadline } from "../../../reconciler/github/plan-summary.ts";
import { device, plan } from "./plans.ts";

describe("cutting to a size", () => {
  it("keeps a text that fits as it is", () => {
    expect(cutToFit("abc", 3, () => "!")).toEqual({ text: "abc", omitted: 0 });
  });

  it("cuts at the end of a line and counts what it left out, the note included in the size", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    const note = (n: number) => `\n... ${n} more\n`;
    const { text: kept, omitted } = cutToFit(text, 200, note);
    expect(byteLength(kept + note(omitted))).toBeLessThanOrEqual(200);
    expect(kept.endsWith("\n")).toBe(true);
    expect(text.startsWith(kept)).toBe(true);
    expect(kept.length + omitted).toBe(text.length);
  });

  it("never cuts a character in two", () => {
    expect(prefixWithin("a😀b", 4)).toBe("a");
    expect(prefixWithin("a😀b", 5)).toBe("a😀");
    expect(prefixWithin("€€", 0)).toBe("");
  });

  it("puts the marker first and keeps the body within 65,536", () => {
    const body = markedBody("<!-- m -->", "€".repeat(30_000));
    expect(body.startsWith("<!-- m -->\n€")).toBe(true);
    expect(byteLength(body)).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/\.\.\. \d+ characters more/);
  });
});

describe("markdown", () => {
  it("fences a text with a fence longer than its longest run of backticks", () => {
    expect(fenceFor("plain")).toBe("```");
    expect(fenceFor("a ```` b ``")).toBe("`````");
  });

  it("makes a table cell of one line that cannot break the table, inject HTML or ping anyone", () => {
    expect(inlineText("a|b\n<img src=x> @admin `x`")).toBe("a\\|b &lt;img src=x&gt; @\u200dadmin \\`x\\`");
    expect(inlineText("x".repeat(300), 10)).toBe("xxxxxxx...");
  });

  it("strips terminal colours", () => {
    expect(stripAnsi("\u001b[1mrouter-a\u001b[22m: \u001b[32m+ x\u001b[39m")).toBe("router-a: + x");
  });

  it("makes a marker an HTML comment, and refuses one that would end early", () => {
    expect(hiddenMarker("reconciler-drift x")).toBe("<!-- reconciler-drift x -->");
    expect(hiddenMarker("<!-- already -->")).toBe("<!-- already -->");
    expect(() => hiddenMarker("a --> b")).toThrow();
    expect(() => hiddenMarker("<!-- a -- b -->")).toThrow();
    expect(() => hiddenMarker("  ")).toThrow();
  });
});

describe("the plan in a word", () => {
  it("concludes failure on an error, neutral on changes, success on nothing to do", () => {
    expect(planConclusion(plan([device("a", "changes", 1), device("b", "error")]))).toBe("failure");
    expect(planConclusion(plan([device("a", "changes", 1), device("b", "unchanged")]))).toBe("neutral");
    expect(planConclusion(plan([device("a", "unchanged")]))).toBe("success");
    expect(planConclusion(plan([]))).toBe("success");
  });

  it("says it in a headline", () => {
    expect(
      planHeadline(plan([device("a", "changes", 1), device("b", "error"), device("c", "unchanged")])),
    ).toBe("1 device to change, 1 could not be read, 1 unchanged");
    expect(planHeadline(plan([device("a", "unchanged"), device("b", "unchanged")]))).toBe(
      "no changes (2 devices)",
    );
    expect(planHeadline(plan([]))).toBe("no devices selected");
  });
});
