import type { Action } from "../../manifest/schema";
import { LlmProviderError, type LlmProvider } from "../planner/llm-provider";
import type { PlannedAction, StepInput } from "../types";
import { resolvedHostReason, type Egress } from "./resolve-host";
import { hostOf, ipLiteralReason, unsafeUrlReason } from "./safe-url";

export type ExecutorKind = "llm" | "http" | "workstation" | "control";

/** What an in-Worker executor produced; `output` is passed on to dependents as their input. */
export interface ExecutionResult {
  outcome: "success" | "failed";
  output?: unknown;
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
  inputs: Record<string, StepInput>;
  llm: LlmProvider | null;
  integrations: IntegrationEgress;
  signal: AbortSignal;
  /** The step's timeout_seconds, when it has one. */
  timeoutMs: number | undefined;
}

const INTEGRATION_TIMEOUT_MS = 10_000;
/** How much of an integration's response body a dependent step gets. */
const BODY_EXCERPT_CHARS = 2000;
const LLM_OUTPUT_CHARS = 16_000;

/**
 * Which executor performs each action. Workstation work (files, shell, the repository,
 * integrations needing credentials the Worker does not hold, asking a human) becomes an action
 * that a workstation claims with hydra.next_action and reports. LLM actions run here when the
 * run has a provider, else they go to the workstation too (the agent in the IDE is a model).
 */
export const EXECUTOR_OF: Record<Action, ExecutorKind> = {
  research_agent: "llm", planning_agent: "llm", review_agent: "llm", docs_agent: "llm", custom_agent: "llm",
  design_architecture: "llm",
  api_integration: "http", webhook_integration: "http",
  condition: "control", loop: "control", parallel: "control",
  code_agent: "workstation", test_agent: "workstation", file_read: "workstation", file_write: "workstation",
  edit_file: "workstation", edit_files: "workstation", shell_execute: "workstation", execute_command: "workstation",
  search_codebase: "workstation", search_references: "workstation", analyze_code: "workstation", generate_code: "workstation",
  generate_tests: "workstation", review_and_commit: "workstation", human_input: "workstation",
  github_integration: "workstation", slack_integration: "workstation", notion_integration: "workstation",
  jira_integration: "workstation", linear_integration: "workstation", database_integration: "workstation",
};

/** The executor for this step in this run: LLM work is delegated when the run has no provider. */
export function executorFor(action: Action, hasLlm: boolean): ExecutorKind {
  const kind = EXECUTOR_OF[action];
  return kind === "llm" && !hasLlm ? "workstation" : kind;
}

export async function executeInWorker(step: PlannedAction, ctx: ExecutionContext): Promise<ExecutionResult> {
  switch (EXECUTOR_OF[step.action]) {
    case "control":
      // The engine performs control flow itself: ordering, conditions and parallel branches.
      return { outcome: "success", tokens: 0, output: null };
    case "http":
      return callIntegration(step, ctx);
    default:
      return callLlm(step, ctx);
  }
}

/** Inputs as prompt/instruction text: one block per dependency. */
export function inputsText(inputs: Record<string, StepInput>, maxChars = 4000): string[] {
  return Object.entries(inputs).map(([key, input]) => {
    const output = typeof input.output === "string" ? input.output : JSON.stringify(input.output ?? null);
    const shown = output.length > maxChars ? `${output.slice(0, maxChars)}…` : output;
    return `- ${key} (${input.outcome}): ${shown}`;
  });
}

/** What a workstation is told to do for one action. */
export function renderInstructions(step: PlannedAction, inputs: Record<string, StepInput>): string {
  const lines = [`${step.name} (${step.action})`];
  for (const [key, value] of Object.entries(step.parameters)) lines.push(`- ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  const given = inputsText(inputs);
  if (given.length > 0) lines.push("Inputs from earlier steps:", ...given);
  lines.push(
    step.action === "human_input"
      ? "Ask the user, then report their answer as the output."
      : "Do this step, then report it: outcome succeeded or failed, and as output what you did or found (the next steps receive it).",
  );
  return lines.join("\n");
}

async function callLlm(step: PlannedAction, ctx: ExecutionContext): Promise<ExecutionResult> {
  const given = inputsText(ctx.inputs);
  const prompt = [
    `Task: ${ctx.intent}`,
    `Step: ${step.name} (${step.action})`,
    `Parameters: ${JSON.stringify(step.parameters)}`,
    ...(given.length > 0 ? ["Inputs from earlier steps:", ...given] : []),
  ].join("\n");
  const signal = ctx.timeoutMs ? AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]) : ctx.signal;
  let answer: { content: string; tokens: number };
  try {
    answer = await ctx.llm!.complete([{ role: "user", content: prompt }], signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if ((err as Error).name === "TimeoutError") return { outcome: "failed", tokens: 0, error: "LLM provider timed out" };
    if (!(err instanceof LlmProviderError)) throw err;
    return { outcome: "failed", tokens: 0, error: err.message };
  }
  return { outcome: "success", tokens: answer.tokens, output: answer.content.slice(0, LLM_OUTPUT_CHARS) };
}

/** Why the step's URL is refused: by its text first, then (when configured) by what its host resolves to. */
async function refusal(raw: unknown, egress: IntegrationEgress, signal: AbortSignal): Promise<string | null> {
  const byText = unsafeUrlReason(raw);
  if (byText || !egress.dohUrl) return byText;
  const host = hostOf(new URL(raw as string));
  return ipLiteralReason(host) === undefined ? resolvedHostReason(egress.fetch, egress.dohUrl, host, signal) : null;
}

async function callIntegration(step: PlannedAction, ctx: ExecutionContext): Promise<ExecutionResult> {
  const refused = await refusal(step.parameters.url, ctx.integrations, ctx.signal);
  if (refused) return { outcome: "failed", tokens: 0, error: `Refused: ${refused}` };
  const method = String(step.parameters.method ?? (step.action === "webhook_integration" ? "POST" : "GET")).toUpperCase();
  const body = step.parameters.body;
  try {
    const res = await ctx.integrations.fetch(String(step.parameters.url), {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined || method === "GET" || method === "HEAD" ? undefined : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs ?? INTEGRATION_TIMEOUT_MS)]),
    });
    // An error body is dropped (it may echo anything); a successful one is passed on as an excerpt.
    if (!res.ok) {
      await res.body?.cancel();
      return { outcome: "failed", tokens: 0, error: `Integration answered HTTP ${res.status}`, output: { status: res.status } };
    }
    const text = await res.text();
    return { outcome: "success", tokens: 0, output: { status: res.status, body: text.slice(0, BODY_EXCERPT_CHARS) } };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return { outcome: "failed", tokens: 0, error: (err as Error).name === "TimeoutError" ? "Integration timed out" : "Integration request failed" };
  }
}
