import { z } from "zod";
import { ACTIONS } from "../../manifest/schema";
import { findGraphProblems } from "../../manifest/graph";
import type { ManifestStepInput, PlannedAction } from "../types";
import type { LlmProvider } from "./llm-provider";
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
      const json = answer.content.replace(/^```(?:json)?\s*|\s*```$/g, "");
      const parsed = llmPlanSchema.safeParse(JSON.parse(json));
      if (parsed.success && findGraphProblems(parsed.data.steps).length === 0) {
        return { plan: manifestPlan(parsed.data.steps), tokens, planner: "llm" };
      }
      note = "LLM plan was invalid; used the offline planner";
    } catch (err) {
      if (signal.aborted) throw err;
      note = `LLM planner failed (${(err as Error).message}); used the offline planner`;
    }
    const plan = offlinePlan(input.intent);
    return { plan, tokens: tokens + estimateTokens(input.intent, JSON.stringify(plan)), planner: "offline", note };
  }
  const plan = offlinePlan(input.intent);
  return { plan, tokens: estimateTokens(input.intent, JSON.stringify(plan)), planner: "offline" };
}
