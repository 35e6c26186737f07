import type { Manifest, Step } from "../schema";

/** Context lines in a fixed key order so two renders of one manifest are byte-identical. */
export function contextLines(manifest: Manifest): string[] {
  const context = manifest.context;
  if (!context) return [];
  const known = ["repo", "entrypoint", "language", "framework"] as const;
  const lines: string[] = [];
  for (const key of known) {
    const value = context[key];
    if (typeof value === "string" && value) lines.push(`- ${key}: ${value}`);
  }
  if (context.connectors?.length) lines.push(`- connectors: ${context.connectors.join(", ")}`);
  const custom = Object.keys(context)
    .filter((k) => !(known as readonly string[]).includes(k) && k !== "connectors")
    .sort();
  for (const key of custom) lines.push(`- ${key}: ${inline(context[key])}`);
  return lines;
}

export function inline(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function parameterLines(step: Step, indent: string): string[] {
  const params = step.parameters ?? {};
  return Object.keys(params).map((key) => `${indent}- ${key}: ${inline(params[key])}`);
}

export function dependsText(step: Step): string {
  return step.depends_on?.length ? step.depends_on.join(", ") : "none";
}

export function stepExtras(step: Step, indent: string): string[] {
  const lines: string[] = [];
  if (step.condition) lines.push(`${indent}- only if: ${step.condition}`);
  if (step.retry?.max_attempts) lines.push(`${indent}- retry: up to ${step.retry.max_attempts} attempts`);
  if (step.timeout_seconds) lines.push(`${indent}- time limit: ${step.timeout_seconds} s`);
  return lines;
}

export function outputsLines(manifest: Manifest): string[] {
  const outputs = manifest.outputs ?? {};
  return Object.keys(outputs).map((key) => `- ${key}: ${inline(outputs[key])}`);
}

/**
 * How to run the workflow as a tracked Hydra run through this deployment's MCP tools (the
 * owner's connections have them): the run orders the steps, hands out each action with the
 * earlier steps' results as inputs, and waits for a person wherever an approval is needed.
 */
export function trackedRunLines(manifest: Manifest): string[] {
  return [
    `When the user asks you to run this workflow (not just to follow it), drive a tracked Hydra run with this server's tools:`,
    `1. start_run {workflow: "<this workflow's id or tool slug>", task: "<what the user asked>"} (workflow "${manifest.name}") returns a run_id.`,
    "2. next_action {run_id, wait_seconds: 25} hands you one action: its instructions, parameters and the inputs from earlier steps.",
    "3. Do exactly that action, then report_action {action_id, outcome: \"succeeded\" or \"failed\", output: what you did or found}.",
    "4. Repeat from 2 until run_status {run_id} says completed (or failed). If next_action says the run waits for an approval, tell the user to decide at the approve_url: never approve yourself.",
  ];
}
