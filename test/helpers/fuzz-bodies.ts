import fc from "fast-check";

/** Strings that break naive code: lone surrogates, NUL, bidi overrides, emoji, combining marks, separators, quoting. */
export const edgeStrings = fc.constantFrom(
  "\ud800",
  "x\udfffy",
  "\udc00\ud800",
  "a\u0000b",
  "\u0000",
  "\u202eevil\u202c",
  "\u200f\u05e9\u05dc\u05d5\u05dd",
  "🧪🔥👩‍👩‍👧‍👦",
  "e\u0301\u0301\u0301",
  "\ufeffbom",
  "\uffff\ufffe",
  "𝕳𝖞𝖉𝖗𝖆",
  "\u2028\u2029",
  "\\",
  '"',
  "</script><script>alert(1)</script>",
  "' OR 1=1 --",
  '"; DROP TABLE workflows; --',
  "%00%ff",
  "\r\n\t",
  "NaN",
  "__proto__",
  "constructor",
  " ",
  "",
);

export const weirdStrings = fc.oneof(
  { weight: 4, arbitrary: edgeStrings },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  // Big, but under the body limit more often than not; some go over it.
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => "y".repeat(n)) },
);

/** A value nested 1 to 5,000 levels deep: around the parser's limit, SQLite's (1,000) and what once overflowed the stack. */
export const deepValue = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(64, 65, 997, 1001, 5000)), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = "bottom";
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { d: value };
    return value;
  });

/** Any JSON-ish value of a wrong or odd type. */
export const weirdValues: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: weirdStrings },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(0, -1, 1e308, -0, 2 ** 53 + 1)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepValue },
);

type Json = Record<string, unknown> | unknown[];

/** Every path (to objects' keys and arrays' items) in a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function mutate(valid: unknown, pick: number, op: "replace" | "delete" | "add", value: unknown): unknown {
  const copy = structuredClone(valid) as Json;
  const paths = pathsOf(copy);
  if (paths.length === 0) return value;
  const path = paths[pick % paths.length]!;
  let parent: any = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1]!;
  if (op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (op === "add" && !Array.isArray(parent)) {
    parent[`extra_${String(last)}`] = value;
  } else {
    parent[last] = value;
  }
  return copy;
}

/**
 * Raw request bodies for a route whose valid body is `valid`: the valid body with one field
 * replaced by an odd value, removed or joined by an unknown one; random JSON; malformed text.
 */
export function fuzzBodies(valid: unknown): fc.Arbitrary<string> {
  const mutated = fc
    .tuple(fc.nat(), fc.constantFrom("replace" as const, "delete" as const, "add" as const), weirdValues)
    .map(([pick, op, value]) => JSON.stringify(mutate(valid, pick, op, value)));
  const validText = JSON.stringify(valid);
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: weirdValues.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.nat({ max: Math.max(0, validText.length - 1) }).map((n) => validText.slice(0, n)) },
  );
}
