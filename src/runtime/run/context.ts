import { configSchema, type Bindings } from "../../env";
import { llmProviderFrom, type LlmProvider } from "../planner/llm-provider";
import type { RunState } from "../types";
import type { RunJournal } from "./journal";

/** What the parts of one run object share. `state` is null until the run is started. */
export interface RunContext {
  readonly storage: DurableObjectStorage;
  readonly env: Bindings;
  readonly journal: RunJournal;
  state: RunState | null;
  /** Aborts the in-flight phase's provider and integration calls on cancel. */
  inflight: AbortController | null;
}

export type LiveRun = RunContext & { state: RunState };

/** Read from env on every use: with no (or an invalid) provider config the offline planner runs. */
export function llmOf(env: Bindings): LlmProvider | null {
  const parsed = configSchema.safeParse(env);
  return parsed.success ? llmProviderFrom(parsed.data) : null;
}
