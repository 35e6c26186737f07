import type { WorkflowRow } from "../db/schema";
import { toWorkflowSummary } from "../workflows/dto";

export interface MarketplaceRow {
  workflow: WorkflowRow;
  ownerDisplayName: string | null;
}

/** Public fields only: the owner is shown by display name (or id), never by email. */
export function toMarketplaceItem({ workflow, ownerDisplayName }: MarketplaceRow, featuredIds: ReadonlySet<string>) {
  return {
    ...toWorkflowSummary(workflow),
    ownerName: ownerDisplayName ?? workflow.ownerId,
    featured: workflow.featured || featuredIds.has(workflow.id),
  };
}
