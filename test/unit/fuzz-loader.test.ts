// Property-based tests of the loader (issue 7 §10): arbitrary bytes and mutated copies of the
// example network's own files go through the real loading path. Whatever the input, loading
// finishes within a bound, never throws, and every problem is a diagnostic naming a file and a
// line within it. Run counts keep the file under 20 s on a busy 2-core machine; fast-check
// draws new cases every run, so coverage grows with every CI run.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DESCRIPTORS } from "../../reconciler/drivers/descriptors.ts";
import { decodeText, RefusedFile } from "../../reconciler/load/file-text.ts";
import { loadRepo } from "../../reconciler/load/load.ts";
import type { RepoReader } from "../../reconciler/load/reader.ts";
import type { Diagnostic } from "../../reconciler/model/diagnostic.ts";
import { exampleFiles } from "../helpers/example-repo.ts";

const SEEDS = exampleFiles();
const PATHS = [...SEEDS.keys()].sort();
/** Per load of the whole example network; a normal load takes a few milliseconds. */
const BOUND_MS = 2_000;

/** The repository as bytes, decoded the way the working tree and revision readers decode them. */
class BytesReader implements RepoReader {
  readonly origin = "fuzz";
  constructor(private readonly files: Map<string, Uint8Array>) {}
  async list(dir: string): Promise<string[]> {
    return [...this.files.keys()].filter((p) => p.startsWith(`${dir}/`)).sort();
  }
  async read(path: string): Promise<string | undefined> {
    const bytes = this.files.get(path);
    return bytes === undefined ? undefined : decodeText(path, bytes);
  }
}

const encoder = new TextEncoder();

function repoWith(path: string, bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([...SEEDS].map(([p, t]) => [p, encoder.encode(t)]));
  files.set(path, bytes);
  return files;
}

/** Loads, and checks what must hold for any input. */
async function loadAndCheck(files: Map<string, Uint8Array>): Promise<Diagnostic[]> {
  const started = performance.now();
  const result = await loadRepo(new BytesReader(files), { descriptors: DESCRIPTORS });
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  const lineCounts = new Map([...files].map(([p, b]) => [p, new TextDecoder().decode(b).split("\n").length]));
  for (const d of result.diagnostics) {
    expect(typeof d.message).toBe("string");
    expect(d.message.length).toBeGreaterThan(0);
    const lines = lineCounts.get(d.file);
    // A file of the repository, or one of its directories for a directory-level refusal.
    expect(lines !== undefined || PATHS.some((p) => p.startsWith(`${d.file}/`))).toBe(true);
    expect(Number.isInteger(d.line) && d.line >= 0 && d.line <= (lines ?? 1)).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 0).toBe(true);
  }
  if (result.repo === undefined) expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
  return result.diagnostics;
}

/** Characters that change what YAML means: indicators, quotes, controls, anchors, tags. */
const YAML_BITS = [
  ":",
  "-",
  "- ",
  "? ",
  ",",
  "[",
  "]",
  "{",
  "}",
  "#",
  "&a ",
  "*a",
  "!",
  "!!str ",
  "|",
  ">",
  "'",
  '"',
  "%",
  "@",
  "`",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "  ",
  "<<: *a",
  "---\n",
  "...\n",
  "\\",
  "\u0000",
  "\u0085",
  "\u202e",
  "\ufeff",
  "@secret:X@",
  "~",
  "null",
  "0x1F",
  "1e999",
  "&a [*a, *a, *a, *a]",
];

const fragment = fc.oneof(
  fc.constantFrom(...YAML_BITS),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ maxLength: 16 }),
);

/** One edit of a text: insert, delete, duplicate or truncate at a position given as a fraction. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fragment,
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = Math.floor(m.at * text.length);
  switch (m.kind) {
    case "insert":
      return text.slice(0, at) + m.text + text.slice(at);
    case "delete":
      return text.slice(0, at) + text.slice(at + m.length);
    case "duplicate":
      return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
    case "truncate":
      return text.slice(0, at);
  }
}

describe("fuzzing the loader", () => {
  it("survives mutated copies of the example network's files", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (path, mutations) => {
          const text = mutations.reduce(mutate, SEEDS.get(path) ?? "");
          await loadAndCheck(repoWith(path, encoder.encode(text)));
        },
      ),
      { numRuns: 150 },
    );
  }, 20_000);

  it("survives arbitrary bytes in place of any file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 512 }), async (path, bytes) => {
        await loadAndCheck(repoWith(path, bytes));
      }),
      { numRuns: 120 },
    );
  }, 20_000);

  it("survives real files with arbitrary bytes spliced in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        async (path, at, bytes) => {
          const seed = encoder.encode(SEEDS.get(path) ?? "");
          const cut = Math.floor(at * seed.length);
          const spliced = new Uint8Array([...seed.subarray(0, cut), ...bytes, ...seed.subarray(cut)]);
          await loadAndCheck(repoWith(path, spliced));
        },
      ),
      { numRuns: 120 },
    );
  }, 20_000);

  it("survives deep nesting and anchor chains", async () => {
    const nested = fc.integer({ min: 1, max: 20_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}\n`);
    const chain = fc
      .integer({ min: 1, max: 40 })
      .map((n) =>
        [
          "a0: &a0 [x, x, x]",
          ...Array.from({ length: n }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}, *a${i}]`),
          "",
        ].join("\n"),
      );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.oneof(nested, chain), async (path, text) => {
        await loadAndCheck(repoWith(path, encoder.encode(text)));
      }),
      { numRuns: 25 },
    );
  }, 20_000);
});

describe("decoding bytes", () => {
  it("accepts exactly valid UTF-8 and places a refusal inside the file", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        let valid = true;
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
        try {
          decodeText("f", bytes);
          expect(valid && !utf16).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(RefusedFile);
          expect(valid && !utf16).toBe(false);
          const { line, column } = err as RefusedFile;
          expect(line).toBeGreaterThanOrEqual(1);
          expect(line).toBeLessThanOrEqual(bytes.filter((b) => b === 0x0a).length + 1);
          expect(column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
