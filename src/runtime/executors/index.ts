import type { Action } from "../../manifest/schema";
import { LlmProviderError, type LlmProvider } from "../planner/llm-provider";
import { estimateTokens } from "../planner/offline";
import type { PlannedAction } from "../types";
import { resolvedHostReason, type Egress } from "./resolve-host";
import { hostOf, ipLiteralReason, unsafeUrlReason } from "./safe-url";

export type ExecutorKind = "llm" | "http" | "delegated" | "control";

export interface ExecutionResult {
  outcome: "success" | "delegated" | "failed";
  result?: unknown;
  error?: string;
  tokens: number;
}

export interface IntegrationEgress {
  fetch: Egress;
  /** When set, host names are resolved over DNS-over-HTTPS and refused if they resolve to special-purpose addresses. */
  dohUrl: string | null;
}

export interface ExecutionContext {
  intent: string;
  llm: LlmProvider | null;
  integrations: IntegrationEgress;
  signal: AbortSignal;
}

const INTEGRATION_TIMEOUT_MS = 10_000;

/**
 * Which executor runs each action. Workstation work (files, shell, the repository) and
 * integrations needing credentials the Worker does not hold are `delegated`: recorded with
 * rendered instructions for a connected IDE. LLM calls and https integrations run here.
 */
export const EXECUTOR_OF: Record<Action, ExecutorKind> = {
  research_agent: "llm", planning_agent: "llm", review_agent: "llm", docs_agent: "llm", custom_agent: "llm",
  design_architecture: "llm",
  api_integration: "http", webhook_integration: "http",
  condition: "control", loop: "control", parallel: "control",
  code_agent: "delegated", test_agent: "delegated", file_read: "delegated", file_write: "delegated",
  edit_file: "delegated", edit_files: "delegated", shell_execute: "delegated", execute_command: "delegated",
  search_codebase: "delegated", search_references: "delegated", analyze_code: "delegated", generate_code: "delegated",
  generate_tests: "delegated", review_and_commit: "delegated", human_input: "delegated",
  github_integration: "delegated", slack_integration: "delegated", notion_integration: "delegated",
  jira_integration: "delegated", linear_integration: "delegated", database_integration: "delegated",
};

export async function executeAction(step: PlannedAction, ctx: ExecutionContext): Promise<ExecutionResult> {
  switch (EXECUTOR_OF[step.action]) {
    case "delegated":
      return { outcome: "delegated", tokens: 0, result: { delegation: { action: step.action, parameters: step.parameters, instructions: renderInstructions(step) } } };
    case "control":
      return { outcome: "success", tokens: 0, result: { note: `${step.action} evaluated by the planner's ordering` } };
    case "http":
      return callIntegration(step, ctx.integrations, ctx.signal);
    case "llm":
      return callLlm(step, ctx);
  }
}

export function renderInstructions(step: PlannedAction): string {
  const lines = [`${step.name} (${step.action})`];
  for (const [key, value] of Object.entries(step.parameters)) lines.push(`- ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  if (step.dependsOn.length > 0) lines.push(`After: ${step.dependsOn.join(", ")}`);
  return lines.join("\n");
}

async function callLlm(step: PlannedAction, ctx: ExecutionContext): Promise<ExecutionResult> {
  const prompt = `Task: ${ctx.intent}\nStep: ${step.name} (${step.action})\nParameters: ${JSON.stringify(step.parameters)}`;
  if (!ctx.llm) {
    // Offline: no model to ask; record the prompt so a later run (or a human) can, and count it.
    return { outcome: "success", tokens: estimateTokens(prompt), result: { offline: true, prompt } };
  }
  let answer: { content: string; tokens: number };
  try {
    answer = await ctx.llm.complete([{ role: "user", content: prompt }], ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof LlmProviderError)) throw err;
    return { outcome: "failed", tokens: 0, error: err.message };
  }
  return { outcome: "success", tokens: answer.tokens, result: { output: answer.content.slice(0, 4000) } };
}

/** Why the step's URL is refused: by its text first, then (when configured) by what its host resolves to. */
async function refusal(raw: unknown, egress: IntegrationEgress, signal: AbortSignal): Promise<string | null> {
  const byText = unsafeUrlReason(raw);
  if (byText || !egress.dohUrl) return byText;
  const host = hostOf(new URL(raw as string));
  return ipLiteralReason(host) === undefined ? resolvedHostReason(egress.fetch, egress.dohUrl, host, signal) : null;
}

async function callIntegration(step: PlannedAction, egress: IntegrationEgress, signal: AbortSignal): Promise<ExecutionResult> {
  const refused = await refusal(step.parameters.url, egress, signal);
  if (refused) return { outcome: "failed", tokens: 0, error: `Refused: ${refused}` };
  const method = String(step.parameters.method ?? (step.action === "webhook_integration" ? "POST" : "GET")).toUpperCase();
  const body = step.parameters.body;
  try {
    const res = await egress.fetch(String(step.parameters.url), {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined || method === "GET" || method === "HEAD" ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(INTEGRATION_TIMEOUT_MS)]),
    });
    await res.body?.cancel();
    // Only the status is kept: upstream bodies are not echoed into events.
    if (!res.ok) return { outcome: "failed", tokens: 0, error: `Integration answered HTTP ${res.status}`, result: { status: res.status } };
    return { outcome: "success", tokens: 0, result: { status: res.status } };
  } catch (err) {
    if (signal.aborted) throw err;
    return { outcome: "failed", tokens: 0, error: (err as Error).name === "TimeoutError" ? "Integration timed out" : "Integration request failed" };
  }
}
