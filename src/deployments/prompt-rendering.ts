import type { Database } from "../db/client";
import { deploymentPrompts } from "../db/schema";
import { renderWorkflow, type RenderedWorkflow } from "../manifest/render";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import type { ServedWorkflow } from "./record";

/** One deployment_prompts row's content (D1 is the source of truth the KV record is rebuilt from). */
export interface AdapterPromptsContent {
  workflows: (ServedWorkflow & RenderedWorkflow)[];
}

/** Every adapter is rendered, enabled or not, so toggling an adapter never needs a re-render. */
export function renderAllAdapters(served: ServedWorkflow[]): Record<Adapter, AdapterPromptsContent> {
  const out = {} as Record<Adapter, AdapterPromptsContent>;
  for (const adapter of ADAPTERS) {
    out[adapter] = { workflows: served.map((w) => ({ ...w, ...renderWorkflow(adapter, w.manifest) })) };
  }
  return out;
}

export function promptUpsertStatements(db: Database, deploymentId: string, contents: Record<Adapter, AdapterPromptsContent>, iso: string) {
  return ADAPTERS.map((adapter) =>
    db
      .insert(deploymentPrompts)
      .values({ deploymentId, adapter, content: contents[adapter] as unknown as Record<string, unknown>, updatedAt: iso })
      .onConflictDoUpdate({
        target: [deploymentPrompts.deploymentId, deploymentPrompts.adapter],
        set: { content: contents[adapter] as unknown as Record<string, unknown>, updatedAt: iso },
      }),
  );
}
