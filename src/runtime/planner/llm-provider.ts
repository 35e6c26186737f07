import type { Config } from "../../env";

export interface LlmProvider {
  model: string;
  complete(messages: { role: "system" | "user"; content: string }[], signal: AbortSignal): Promise<{ content: string; tokens: number }>;
}

const LLM_TIMEOUT_MS = 30_000;

/** The OpenAI-compatible chat completions provider, or null when LLM_* is not configured. */
export function llmProviderFrom(config: Pick<Config, "LLM_BASE_URL" | "LLM_MODEL" | "LLM_API_KEY">): LlmProvider | null {
  const { LLM_BASE_URL: baseUrl, LLM_MODEL: model, LLM_API_KEY: apiKey } = config;
  if (!baseUrl || !model) return null;
  const endpoint = `${baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    model,
    async complete(messages, signal) {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify({ model, messages, temperature: 0 }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(LLM_TIMEOUT_MS)]),
      });
      // The provider's error body is never surfaced: it may echo keys or prompts.
      if (!res.ok) throw new Error(`LLM provider answered HTTP ${res.status}`);
      const body = (await res.json()) as {
        choices?: { message?: { content?: string } }[];
        usage?: { total_tokens?: number; prompt_tokens?: number; completion_tokens?: number };
      };
      const content = body.choices?.[0]?.message?.content ?? "";
      const usage = body.usage ?? {};
      const tokens = usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
      return { content, tokens };
    },
  };
}
