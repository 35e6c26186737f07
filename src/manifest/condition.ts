import { Environment } from "@marcbachmann/cel-js";

/**
 * Step conditions are CEL expressions (cel-js: an interpreter, no eval) over
 * `steps.<id>.outcome`, `steps.<id>.output` and `run.intent`. The environment is immutable
 * once built, so building it per call keeps the module free of shared state.
 */
function conditionEnvironment() {
  return new Environment({ limits: { maxAstNodes: 500, maxDepth: 50, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 } })
    .registerVariable("steps", "map")
    .registerVariable("run", "map");
}

/** Step ids an expression reads (`steps.<id>` or `steps["<id>"]`): the step waits for them. */
export function conditionReferences(expression: string): string[] {
  const ids = new Set<string>();
  for (const m of expression.matchAll(/\bsteps\s*(?:\.\s*([a-z][a-z0-9_]*)|\[\s*["']([a-z][a-z0-9_]*)["']\s*\])/g)) ids.add((m[1] ?? m[2])!);
  return [...ids];
}

/** Why an expression cannot be a condition (syntax, unknown variables, not a bool), or null. */
export function conditionProblem(expression: string): string | null {
  try {
    const checked = conditionEnvironment().check(expression) as { valid: boolean; type?: string; error?: { message?: string } };
    if (!checked.valid) return `invalid condition: ${firstLine(checked.error?.message ?? "type error")}`;
    if (checked.type !== "bool" && checked.type !== "dyn") return `condition must be a boolean expression (it is ${checked.type})`;
    return null;
  } catch (err) {
    return `invalid condition: ${firstLine((err as Error).message)}`;
  }
}

export type ConditionResult = { ok: true; value: boolean } | { ok: false; error: string };

export function evaluateCondition(expression: string, context: { steps: Record<string, { outcome: string; output: unknown }>; run: { intent: string } }): ConditionResult {
  try {
    const value = conditionEnvironment().evaluate(expression, context);
    if (typeof value !== "boolean") return { ok: false, error: "condition did not evaluate to a boolean" };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: `condition could not be evaluated: ${firstLine((err as Error).message)}` };
  }
}

const firstLine = (text: string) => text.split("\n")[0]!.trim();
