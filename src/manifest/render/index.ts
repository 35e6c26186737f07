import type { Adapter, Manifest } from "../schema";
import { renderClaudePrompt } from "./claude";
import { renderCodexFunctions, renderCodexInstructions, type CodexFunction } from "./codex";
import { renderCursorPrompt } from "./cursor";

export type { CodexFunction } from "./codex";

/** What one adapter gets for one workflow: prompt text, plus function definitions for Codex. */
export interface RenderedWorkflow {
  text: string;
  functions?: CodexFunction[];
}

/** Pure and deterministic: the same manifest always renders to the same bytes. */
export function renderWorkflow(adapter: Adapter, manifest: Manifest): RenderedWorkflow {
  switch (adapter) {
    case "claude":
      return { text: renderClaudePrompt(manifest) };
    case "cursor":
      return { text: renderCursorPrompt(manifest) };
    case "codex": {
      const functions = renderCodexFunctions(manifest);
      return { text: renderCodexInstructions(manifest, functions), functions };
    }
  }
}
