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

/** The visible workflow with its current version's manifest, in one D1 round trip (a join). */
export async function getVisibleWorkflowDetail(db: Database, workflowId: string, userId: string) {
  const found = await db
    .select({ row: workflows, manifest: workflowVersions.manifest })
    .from(workflows)
    .leftJoin(workflowVersions, and(eq(workflowVersions.workflowId, workflows.id), eq(workflowVersions.version, workflows.currentVersion)))
    .where(eq(workflows.id, workflowId))
    .get();
  if (!found || (found.row.visibility === "private" && found.row.ownerId !== userId)) throw notFound("Workflow", workflowId);
  if (found.manifest === null) throw notFound("Workflow version", `${workflowId}@${found.row.currentVersion}`);
  return { row: found.row, manifest: found.manifest };
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
