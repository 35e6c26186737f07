import type { WorkflowRow } from "../db/schema";

export function workflowStats(row: WorkflowRow) {
  return {
    forks: row.forksCount,
    subscribers: row.subscribersCount,
    rating: row.ratingCount > 0 ? Math.round((row.ratingSum / row.ratingCount) * 100) / 100 : null,
    ratingCount: row.ratingCount,
  };
}

export function toWorkflowSummary(row: WorkflowRow) {
  return {
    workflowId: row.id,
    ownerId: row.ownerId,
    name: row.name,
    slug: row.slug,
    description: row.description,
    visibility: row.visibility,
    category: row.category,
    tags: row.tags,
    currentVersion: row.currentVersion,
    stats: workflowStats(row),
    forkedFrom: row.forkedFromWorkflowId
      ? { workflowId: row.forkedFromWorkflowId, userId: row.forkedFromUserId, version: row.forkedFromVersion }
      : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toWorkflowDetail(row: WorkflowRow, manifest: Record<string, unknown>) {
  return { ...toWorkflowSummary(row), manifest };
}
