import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client";
import { runApprovals, runs } from "../db/schema";
import { ACTIVE_STATUSES, type RunStatus } from "./types";

/** D1 side of a run: the durable history row and the approval → run index. */
export type RunRow = typeof runs.$inferSelect;

export async function insertRunRow(
  db: Database,
  run: { id: string; userId: string; intent: string; workflowId: string | null; workflowVersion: string | null; now: string },
) {
  await db.insert(runs).values({
    id: run.id,
    userId: run.userId,
    intent: run.intent,
    workflowId: run.workflowId,
    workflowVersion: run.workflowVersion,
    status: "pending",
    steps: [],
    tokensUsed: 0,
    createdAt: run.now,
    updatedAt: run.now,
  });
}

export interface RunRowUpdate {
  status: RunStatus;
  steps?: unknown[];
  tokensUsed?: number;
  error?: string | null;
  completedAt?: string | null;
  updatedAt: string;
}

/** Terminal rows are never rewritten, so a late write cannot resurrect a cancelled run. */
export async function updateRunRow(db: Database, runId: string, update: RunRowUpdate) {
  await db
    .update(runs)
    .set(update)
    .where(and(eq(runs.id, runId), inArray(runs.status, ACTIVE_STATUSES)));
}

export async function getOwnedRunRow(db: Database, runId: string, userId: string): Promise<RunRow | undefined> {
  return db.select().from(runs).where(and(eq(runs.id, runId), eq(runs.userId, userId))).get();
}

export async function listRunRows(db: Database, userId: string, limit: number): Promise<RunRow[]> {
  return db.select().from(runs).where(eq(runs.userId, userId)).orderBy(desc(runs.createdAt), desc(runs.id)).limit(limit).all();
}

export async function allRunIds(db: Database, userId: string): Promise<string[]> {
  const rows = await db.select({ id: runs.id }).from(runs).where(eq(runs.userId, userId)).all();
  return rows.map((r) => r.id);
}

export async function activeRunIds(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.userId, userId), inArray(runs.status, ACTIVE_STATUSES)))
    .all();
  return rows.map((r) => r.id);
}

export async function insertApprovalRow(db: Database, approval: { id: string; runId: string; userId: string; now: string }) {
  await db
    .insert(runApprovals)
    .values({ id: approval.id, runId: approval.runId, userId: approval.userId, createdAt: approval.now })
    .onConflictDoNothing();
}

export async function getOwnedApprovalRow(db: Database, approvalId: string, userId: string) {
  return db
    .select()
    .from(runApprovals)
    .where(and(eq(runApprovals.id, approvalId), eq(runApprovals.userId, userId)))
    .get();
}

/** A run as hydra.runs lists it (and the base of a finished run's hydra.status view). */
export function runSummary(row: RunRow) {
  return {
    id: row.id,
    intent: row.intent,
    status: row.status as RunStatus,
    workflow_id: row.workflowId,
    workflow_version: row.workflowVersion,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    completed_at: row.completedAt,
    tokens_used: row.tokensUsed,
    error: row.error,
  };
}
