import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dependencyLevels, findGraphProblems, topologicalOrder } from "../src/manifest/graph";
import { compareSemver, parseSemver } from "../src/manifest/semver";

/** Random DAGs: each step may depend only on earlier ones, then the order is shuffled. */
const dagArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => `s${j}`)))),
      fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n }),
    ),
  )
  .map(([deps, order]) => order.map((i) => ({ id: `s${i}`, depends_on: deps[i] as string[] })));

describe("dependency graph", () => {
  it("accepts every DAG and orders each step after its dependencies", () => {
    fc.assert(
      fc.property(dagArb, (steps) => {
        expect(findGraphProblems(steps)).toEqual([]);
        const order = topologicalOrder(steps).map((s) => s.id);
        expect(order).toHaveLength(steps.length);
        for (const step of steps) {
          for (const dep of step.depends_on) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(step.id));
        }
        const levels = dependencyLevels(steps);
        levels.forEach((level, depth) => {
          for (const step of level) {
            for (const dep of step.depends_on) {
              expect(levels.findIndex((l) => l.some((s) => s.id === dep))).toBeLessThan(depth);
            }
          }
        });
      }),
    );
  });

  it("finds a cycle whenever one edge points back", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), (n) => {
        const steps = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, depends_on: i ? [`s${i - 1}`] : [`s${n - 1}`] }));
        const problems = findGraphProblems(steps);
        expect(problems).toHaveLength(1);
        expect(problems[0]!.message).toMatch(/cycle/);
      }),
    );
  });
});

describe("semver", () => {
  it("compares numerically", () => {
    expect(compareSemver(parseSemver("1.10.0")!, parseSemver("1.9.9")!)).toBeGreaterThan(0);
    expect(parseSemver("01.0.0")).toBeNull();
    expect(parseSemver("1.0")).toBeNull();
    expect(parseSemver("1.0.0-beta")).toBeNull();
  });
});
