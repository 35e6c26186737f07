import { topologicalOrder } from "../graph";
import type { Manifest, Step } from "../schema";
import { trackedRunLines, contextLines, dependsText } from "./common";

export interface CodexFunction {
  name: string;
  description: string;
  parameters: {
    type: "object";
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    additionalProperties: boolean;
  };
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "object" ? "object" : typeof value;
}

/** One function per step (name = step id); the manifest's parameter values become defaults. */
export function renderCodexFunction(step: Step): CodexFunction {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(step.parameters ?? {})) {
    properties[key] = { type: jsonType(value), default: value };
  }
  properties.notes = { type: "string", description: "What you found or changed in this step" };
  const after = step.depends_on?.length ? ` Call after: ${dependsText(step)}.` : "";
  return {
    name: step.id,
    description: `${step.name} (${step.action}${step.agent ? `, agent ${step.agent}` : ""}).${after}`,
    parameters: { type: "object", properties, required: [], additionalProperties: true },
  };
}

export function renderCodexFunctions(manifest: Manifest): CodexFunction[] {
  return topologicalOrder(manifest.steps).map(renderCodexFunction);
}

/** Codex: the function-calling layout, with a short driver text since Codex shows no MCP prompts. */
export function renderCodexInstructions(manifest: Manifest, functions: CodexFunction[]): string {
  const out: string[] = [`Workflow "${manifest.name}" as function calls.`];
  if (manifest.intent) out.push(`Intent: ${manifest.intent}`);
  const context = contextLines(manifest);
  if (context.length) out.push("Context:", ...context);
  out.push("Call these functions in order, passing each one's result on to the functions that depend on it:");
  topologicalOrder(manifest.steps).forEach((step, i) => {
    out.push(`${i + 1}. ${step.id}: ${step.name} (depends on: ${dependsText(step)})`);
  });
  out.push("", "Function definitions (JSON):", JSON.stringify(functions, null, 2));
  out.push("", "Finish with a summary per function: done / skipped / failed and the result.");
  out.push("", ...trackedRunLines(manifest));
  return out.join("\n");
}
