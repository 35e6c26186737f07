import { env } from "cloudflare:workers";

export interface StandInReply {
  content?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
  status?: number;
  body?: unknown;
  delayMs?: number;
}

export interface StandInCall {
  method: string;
  path: string;
  authorization: string | null;
  body: { model: string; messages: { role: string; content: string }[]; temperature?: number };
  aborted: boolean;
  answered: boolean;
}

const STANDIN = "http://llm.standin";

/**
 * Scripts the local provider stand-in (bound as LLM_API) for one test: its replies, in order,
 * under a model name of its own. `env` is what a test passes to `manualRpc` so that only its
 * own runs use the provider; everything else in the suite stays offline.
 */
export async function llmScenario(replies: StandInReply[], extra: Record<string, string> = {}) {
  const model = `standin-${crypto.randomUUID()}`;
  const apiKey = `sk-test-${crypto.randomUUID()}`;
  const res = await env.LLM_API.fetch(`${STANDIN}/__scenario`, { method: "POST", body: JSON.stringify({ model, replies }) });
  if (!res.ok) throw new Error(`stand-in refused the scenario: ${res.status}`);
  return {
    model,
    apiKey,
    env: { LLM_BASE_URL: `${STANDIN}/v1`, LLM_MODEL: model, LLM_API_KEY: apiKey, ...extra },
    async calls(): Promise<StandInCall[]> {
      return (await env.LLM_API.fetch(`${STANDIN}/__calls?model=${model}`)).json();
    },
    /** Polls until `done(calls)` holds. */
    async waitForCalls(done: (calls: StandInCall[]) => boolean, timeoutMs = 5000): Promise<StandInCall[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const calls = await this.calls();
        if (done(calls)) return calls;
        if (Date.now() > deadline) throw new Error(`stand-in calls never matched: ${JSON.stringify(calls)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** A chat-completions answer holding a plan in the planner's JSON format. */
export const planAnswer = (steps: unknown[]) => JSON.stringify({ steps });
