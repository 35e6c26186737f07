import type { Config } from "../../env";
import type { LlmSettings } from "../types";

export interface LlmProvider {
  model: string;
  /** Rejects with an LlmProviderError (our own message, never the upstream body), or the abort reason when `signal` aborts. */
  complete(messages: { role: "system" | "user"; content: string }[], signal: AbortSignal): Promise<{ content: string; tokens: number }>;
}

export class LlmProviderError extends Error {}

/** The provider settings a run snapshots at start, or null when LLM_BASE_URL / LLM_MODEL are not set. */
export function llmSettingsFrom(config: Pick<Config, "LLM_BASE_URL" | "LLM_MODEL" | "LLM_API_KEY" | "LLM_TIMEOUT_MS">): LlmSettings | null {
  if (!config.LLM_BASE_URL || !config.LLM_MODEL) return null;
  return { baseUrl: config.LLM_BASE_URL, model: config.LLM_MODEL, apiKey: config.LLM_API_KEY ?? null, timeoutMs: config.LLM_TIMEOUT_MS };
}

/**
 * The OpenAI-compatible chat completions provider, or null without settings. `egress` (the
 * LLM_API binding) carries the requests when present, else the global fetch does.
 */
export function llmProvider(settings: LlmSettings | null, egress?: Fetcher): LlmProvider | null {
  if (!settings) return null;
  const { model, apiKey, timeoutMs } = settings;
  const endpoint = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const send: typeof fetch = egress ? (input, init) => egress.fetch(input as RequestInfo, init) : fetch;
  return {
    model,
    async complete(messages, signal) {
      let res: Response;
      try {
        res = await send(endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
          body: JSON.stringify({ model, messages, temperature: 0 }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw new LlmProviderError((err as Error).name === "TimeoutError" ? "LLM provider timed out" : "LLM provider request failed");
      }
      // The provider's error body is never surfaced: it may echo keys or prompts.
      if (!res.ok) {
        await res.body?.cancel();
        throw new LlmProviderError(`LLM provider answered HTTP ${res.status}`);
      }
      let body: {
        choices?: { message?: { content?: string } }[];
        usage?: { total_tokens?: number; prompt_tokens?: number; completion_tokens?: number };
      };
      try {
        body = await res.json();
      } catch (err) {
        if (signal.aborted) throw err;
        throw new LlmProviderError("LLM provider answered invalid JSON");
      }
      const content = body.choices?.[0]?.message?.content ?? "";
      const usage = body.usage ?? {};
      const tokens = usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
      return { content, tokens };
    },
  };
}
