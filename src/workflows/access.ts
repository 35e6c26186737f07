import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { workflowVersions, workflows, type WorkflowRow } from "../db/schema";
import { ApiError, notFound } from "../errors";

/**
 * A private workflow is invisible to everyone but its owner: 404, never 403, so ids do not
 * leak. Visible but not yours is 403 for writes.
 */
export async function getVisibleWorkflow(db: Database, workflowId: string, userId: string): Promise<WorkflowRow> {
  const row = await db.select().from(workflows).where(eq(workflows.id, workflowId)).get();
  if (!row || (row.visibility === "private" && row.ownerId !== userId)) throw notFound("Workflow", workflowId);
  return row;
}

/**
 * The hottest read (GET /v1/workflows/{id}), written as SQL: building the same join with drizzle
 * cost more CPU than the rest of the handler (bench/README.md). The columns are the `workflows`
 * table's (src/db/schema.ts) plus the current version's manifest; test/workflows.test.ts compares
 * the answer with drizzle's reads.
 */
const WORKFLOW_DETAIL_SQL = `select w.id, w.owner_id, w.name, w.slug, w.description, w.visibility, w.category, w.tags,
  w.current_version, w.forks_count, w.subscribers_count, w.rating_sum, w.rating_count, w.featured,
  w.forked_from_workflow_id, w.forked_from_user_id, w.forked_from_version, w.created_at, w.updated_at, v.manifest
  from workflows w left join workflow_versions v on v.workflow_id = w.id and v.version = w.current_version
  where w.id = ?`;

type WorkflowDetailRow = {
  [K in "id" | "owner_id" | "name" | "slug" | "current_version" | "created_at" | "updated_at" | "tags"]: string;
} & {
  [K in "description" | "category" | "forked_from_workflow_id" | "forked_from_user_id" | "forked_from_version" | "manifest"]: string | null;
} & { [K in "forks_count" | "subscribers_count" | "rating_sum" | "rating_count" | "featured"]: number } & {
  visibility: WorkflowRow["visibility"];
};

function workflowOf(r: WorkflowDetailRow): WorkflowRow {
  return {
    id: r.id,
    ownerId: r.owner_id,
    name: r.name,
    slug: r.slug,
    description: r.description,
    visibility: r.visibility,
    category: r.category,
    tags: JSON.parse(r.tags) as string[],
    currentVersion: r.current_version,
    forksCount: r.forks_count,
    subscribersCount: r.subscribers_count,
    ratingSum: r.rating_sum,
    ratingCount: r.rating_count,
    featured: Boolean(r.featured),
    forkedFromWorkflowId: r.forked_from_workflow_id,
    forkedFromUserId: r.forked_from_user_id,
    forkedFromVersion: r.forked_from_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The visible workflow with its current version's manifest, in one D1 round trip (a join). */
export async function getVisibleWorkflowDetail(db: Database, workflowId: string, userId: string) {
  const found = await db.$client.prepare(WORKFLOW_DETAIL_SQL).bind(workflowId).first<WorkflowDetailRow>();
  if (!found || (found.visibility === "private" && found.owner_id !== userId)) throw notFound("Workflow", workflowId);
  if (found.manifest === null) throw notFound("Workflow version", `${workflowId}@${found.current_version}`);
  return { row: workflowOf(found), manifest: JSON.parse(found.manifest) as Record<string, unknown> };
}

export async function getOwnedWorkflow(db: Database, workflowId: string, userId: string): Promise<WorkflowRow> {
  const row = await getVisibleWorkflow(db, workflowId, userId);
  if (row.ownerId !== userId) {
    throw new ApiError("FORBIDDEN", "Only the owner of this workflow may change it");
  }
  return row;
}

export async function getWorkflowVersion(db: Database, workflowId: string, version: string) {
  return db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflowId), eq(workflowVersions.version, version)))
    .get();
}

export async function getManifest(db: Database, workflowId: string, version: string) {
  const row = await getWorkflowVersion(db, workflowId, version);
  if (!row) throw notFound("Workflow version", `${workflowId}@${version}`);
  return row.manifest;
}
