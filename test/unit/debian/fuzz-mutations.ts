// Mutations of recorded device output for property-based tests (fast-check): what a broken or
// hostile device might print instead: cut short, with bytes or control characters inserted, a
// huge line, a section repeated, a range deleted. Positions are fractions of the text, so that
// one mutation applies to a seed of any length.
import fc from "fast-check";

type Mutation = (s: string) => string;

/** Mutated text stays below about 2 MB: large enough to be slow if a parser is quadratic. */
const MAX_LENGTH = 2_000_000;
const at = (s: string, f: number) => Math.min(s.length, Math.floor(f * (s.length + 1)));
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const CONTROLS = [
  "\0",
  "\r",
  "\x1b[2K",
  "\x1b]0;x\x07",
  "\t",
  "\u0085",
  "\u202e",
  "\ufeff",
  "\ud800",
  "\x7f",
];

const truncate: fc.Arbitrary<Mutation> = fraction.map((f) => (s) => s.slice(0, at(s, f)));
const insert = (piece: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
  fc.tuple(fraction, piece).map(
    ([f, p]) =>
      (s) =>
        s.slice(0, at(s, f)) + p + s.slice(at(s, f)),
  );
const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1"));
const utf8 = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("utf8"));
const controls = fc
  .array(fc.constantFrom(...CONTROLS), { minLength: 1, maxLength: 8 })
  .map((a) => a.join(""));
/** A line long enough that a parser quadratic in it takes seconds: 20k to 200k characters. */
const huge = fc
  .tuple(
    fc.constantFrom(" ", "a", "0", "{", "[", '"', "\t", " a", "1.", "@@", "x y ", "# "),
    fc.integer({ min: 20_000, max: 200_000 }),
  )
  .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
const repeatSection: fc.Arbitrary<Mutation> = fc
  .tuple(fraction, fraction, fc.integer({ min: 2, max: 200 }))
  .map(([a, b, k]) => (s) => {
    const [from, to] = [at(s, Math.min(a, b)), at(s, Math.max(a, b))];
    // At most about MAX_LENGTH in all, however often sections are repeated.
    const times = Math.min(k - 1, Math.floor(MAX_LENGTH / Math.max(1, to - from)));
    return s.slice(0, to) + s.slice(from, to).repeat(times) + s.slice(to);
  });
const remove: fc.Arbitrary<Mutation> = fc.tuple(fraction, fraction).map(
  ([a, b]) =>
    (s) =>
      s.slice(0, at(s, Math.min(a, b))) + s.slice(at(s, Math.max(a, b))),
);
/** A token the parsers look for, in a wrong place: structure without content. */
const tokens = fc
  .array(
    fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      ";",
      '"',
      "'",
      "\n",
      " ",
      "=",
      ",",
      ":",
      "null",
      "true",
      "0",
      "-1",
      "1e999",
      "/",
      "*",
      "#",
      "!",
      "\\",
    ),
    { minLength: 1, maxLength: 16 },
  )
  .map((a) => a.join(""));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  truncate,
  insert(bytes),
  insert(utf8),
  insert(controls),
  insert(tokens),
  { arbitrary: insert(huge), weight: 1 },
  repeatSection,
  remove,
);

/** One of the seeds, changed by one to four mutations. */
export function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([seed, ms]) => ms.reduce((s, m) => m(s), seed));
}
