import { z } from "zod";
import { ACTIONS } from "../../manifest/schema";
import { findGraphProblems } from "../../manifest/graph";
import type { ManifestStepInput, PlannedAction } from "../types";
import { LlmProviderError, type LlmProvider } from "./llm-provider";
import { manifestPlan } from "./manifest";
import { estimateTokens, offlinePlan } from "./offline";

export interface PlanResult {
  plan: PlannedAction[];
  tokens: number;
  planner: "manifest" | "offline" | "llm";
  note?: string;
}

const llmPlanSchema = z.object({
  steps: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/),
        name: z.string().min(1).max(200),
        action: z.enum(ACTIONS),
        depends_on: z.array(z.string()).optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .min(1)
    .max(50),
});

const SYSTEM_PROMPT = `You plan work for a coding agent. Answer with JSON only: {"steps":[{"id":"snake_case","name":"...","action":"<one of: ${ACTIONS.join(", ")}>","depends_on":["<earlier ids>"],"parameters":{}}]}`;

/**
 * Think: a manifest's steps in dependency order, else the LLM provider's plan, else the
 * deterministic offline plan (also the fallback when the provider fails or answers nonsense).
 */
export async function planRun(
  input: { intent: string; manifestSteps: ManifestStepInput[] | null },
  llm: LlmProvider | null,
  signal: AbortSignal,
): Promise<PlanResult> {
  if (input.manifestSteps) {
    const plan = manifestPlan(input.manifestSteps);
    return { plan, tokens: estimateTokens(input.intent, JSON.stringify(input.manifestSteps)), planner: "manifest" };
  }
  let note: string | undefined;
  if (llm) {
    let tokens = 0;
    try {
      const answer = await llm.complete(
        [
          { role: "system", content: SYSTEM_PROMPT },
          { role: "user", content: input.intent },
        ],
        signal,
      );
      tokens = answer.tokens;
      const parsed = llmPlanSchema.safeParse(parseJsonAnswer(answer.content));
      if (parsed.success && findGraphProblems(parsed.data.steps).length === 0) {
        return { plan: manifestPlan(parsed.data.steps), tokens, planner: "llm" };
      }
      note = "LLM plan was invalid; used the offline planner";
    } catch (err) {
      if (signal.aborted) throw err;
      // Only our own message: the provider's body (which may echo prompts or keys) stays out.
      const why = err instanceof LlmProviderError ? ` (${err.message})` : "";
      note = `LLM planner failed${why}; used the offline planner`;
    }
    const plan = offlinePlan(input.intent);
    return { plan, tokens: tokens + estimateTokens(input.intent, JSON.stringify(plan)), planner: "offline", note };
  }
  const plan = offlinePlan(input.intent);
  return { plan, tokens: estimateTokens(input.intent, JSON.stringify(plan)), planner: "offline" };
}

/** The answer's JSON (a ```json fence is tolerated); undefined when it is not JSON, which the schema rejects. */
function parseJsonAnswer(content: string): unknown {
  try {
    return JSON.parse(content.trim().replace(/^```(?:json)?\s*|\s*```$/g, ""));
  } catch {
    return undefined;
  }
}
