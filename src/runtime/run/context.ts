import type { Bindings } from "../../env";
import { llmProvider, type LlmProvider } from "../planner/llm-provider";
import type { IntegrationEgress } from "../executors";
import type { RunState } from "../types";
import type { RunJournal } from "./journal";

/** What the parts of one run object share. `state` is null until the run is started. */
export interface RunContext {
  readonly storage: DurableObjectStorage;
  readonly env: Bindings;
  readonly journal: RunJournal;
  state: RunState | null;
  /** Aborts the in-flight phase's provider calls on cancel. */
  inflight: AbortController | null;
  /** In-Worker act steps (LLM, HTTP) being executed by this instance, by step id. */
  readonly executing: Map<string, AbortController>;
}

export type LiveRun = RunContext & { state: RunState };

/**
 * The provider this run was started with (settings snapshotted at start, like the step delay),
 * reached through the LLM_API egress binding when the Worker has one. Null: offline.
 */
/** Where integration steps' requests go (the INTEGRATION_API egress binding when present) and how hosts are resolved. */
export function integrationsOf(run: LiveRun): IntegrationEgress {
  const binding = run.env.INTEGRATION_API;
  return { fetch: binding ? (input, init) => binding.fetch(input, init) : (input, init) => fetch(input, init), dohUrl: run.state.settings.dohUrl };
}

export function llmOf(run: LiveRun): LlmProvider | null {
  return llmProvider(run.state.settings.llm ?? null, run.env.LLM_API);
}
