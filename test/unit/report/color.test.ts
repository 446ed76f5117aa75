// The colour decision: --no-color, NO_COLOR, FORCE_COLOR, the terminal, TERM=dumb.
import { describe, expect, it } from "vitest";
import { useColor } from "../../../reconciler/report/color.ts";

describe("useColor", () => {
  it("colours a terminal and nothing else by default", () => {
    expect(useColor({ isTTY: true, env: {} })).toBe(true);
    expect(useColor({ isTTY: false, env: {} })).toBe(false);
    expect(useColor({ isTTY: undefined, env: {} })).toBe(false);
  });

  it("does not colour a dumb terminal", () => {
    expect(useColor({ isTTY: true, env: { TERM: "dumb" } })).toBe(false);
    expect(useColor({ isTTY: true, env: { TERM: "xterm-256color" } })).toBe(true);
  });

  it("turns colour off for any non-empty NO_COLOR, even on a terminal", () => {
    expect(useColor({ isTTY: true, env: { NO_COLOR: "1" } })).toBe(false);
    expect(useColor({ isTTY: true, env: { NO_COLOR: "0" } })).toBe(false);
    expect(useColor({ isTTY: true, env: { NO_COLOR: "" } })).toBe(true);
  });

  it("turns colour on for a non-empty FORCE_COLOR other than 0, even into a pipe", () => {
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: "1" } })).toBe(true);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: "3" } })).toBe(true);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: "0" } })).toBe(false);
    expect(useColor({ isTTY: false, env: { FORCE_COLOR: "" } })).toBe(false);
    expect(useColor({ isTTY: true, env: { FORCE_COLOR: "1", TERM: "dumb" } })).toBe(true);
  });

  it("lets NO_COLOR win over FORCE_COLOR", () => {
    expect(useColor({ isTTY: true, env: { NO_COLOR: "1", FORCE_COLOR: "1" } })).toBe(false);
  });

  it("lets --no-color win over everything", () => {
    expect(useColor({ isTTY: true, env: {}, colorOption: false })).toBe(false);
    expect(useColor({ isTTY: true, env: { FORCE_COLOR: "1" }, colorOption: false })).toBe(false);
    expect(useColor({ isTTY: true, env: {}, colorOption: true })).toBe(true);
  });
});
