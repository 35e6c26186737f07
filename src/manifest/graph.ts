interface GraphStep {
  id: string;
  depends_on?: string[] | undefined;
}

export interface GraphProblem {
  path: (string | number)[];
  message: string;
}

/** Duplicate ids, dependencies on missing steps, self-dependencies and cycles, each with its path. */
export function findGraphProblems(steps: GraphStep[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const firstIndex = new Map<string, number>();
  steps.forEach((step, i) => {
    if (firstIndex.has(step.id)) {
      problems.push({ path: ["steps", i, "id"], message: `duplicate step id '${step.id}'` });
    } else {
      firstIndex.set(step.id, i);
    }
  });
  steps.forEach((step, i) => {
    (step.depends_on ?? []).forEach((dep, j) => {
      if (!firstIndex.has(dep)) {
        problems.push({ path: ["steps", i, "depends_on", j], message: `depends on missing step '${dep}'` });
      } else if (dep === step.id) {
        problems.push({ path: ["steps", i, "depends_on", j], message: `step '${step.id}' depends on itself` });
      }
    });
  });
  if (problems.length > 0) return problems;

  const cycle = findCycle(steps);
  if (cycle) {
    const i = firstIndex.get(cycle[0]!)!;
    problems.push({ path: ["steps", i, "depends_on"], message: `dependency cycle: ${cycle.join(" -> ")}` });
  }
  return problems;
}

function findCycle(steps: GraphStep[]): string[] | null {
  const deps = new Map(steps.map((s) => [s.id, s.depends_on ?? []]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === "done") return null;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, "done");
    return null;
  };
  for (const step of steps) {
    const found = visit(step.id);
    if (found) return found;
  }
  return null;
}

/**
 * Steps grouped into levels: every step's dependencies sit in earlier levels, so steps in one
 * level may run in parallel. Order inside a level follows the manifest. Assumes a valid graph.
 */
export function dependencyLevels<T extends GraphStep>(steps: T[]): T[][] {
  const levelOf = new Map<string, number>();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = (step: T): number => {
    const known = levelOf.get(step.id);
    if (known !== undefined) return known;
    const level = Math.max(-1, ...(step.depends_on ?? []).map((d) => depth(byId.get(d)!))) + 1;
    levelOf.set(step.id, level);
    return level;
  };
  const levels: T[][] = [];
  for (const step of steps) (levels[depth(step)] ??= []).push(step);
  return levels;
}

/** A topological order (level by level, manifest order within a level). */
export function topologicalOrder<T extends GraphStep>(steps: T[]): T[] {
  return dependencyLevels(steps).flat();
}
