import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { ratings, workflows, type WorkflowRow } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { getVisibleWorkflow } from "../workflows/access";
import { workflowStats } from "../workflows/dto";
import type { RateWorkflowInput } from "./schemas";

interface Ctx {
  db: Database;
  now: Date;
  userId: string;
}

/**
 * Recomputes rating_sum / rating_count from the ratings rows, in the same batch (one D1
 * transaction) as the write, so concurrent ratings can never lose an update.
 */
function recountRatingsStatement(db: Database, workflowId: string) {
  return db
    .update(workflows)
    .set({
      ratingSum: sql`(SELECT coalesce(sum(rating), 0) FROM ratings WHERE workflow_id = ${workflowId})`,
      ratingCount: sql`(SELECT count(*) FROM ratings WHERE workflow_id = ${workflowId})`,
    })
    .where(eq(workflows.id, workflowId))
    .returning();
}

/** Others' private workflows are 404 (they are invisible); your own are 403 (no self-rating). */
async function getRateableWorkflow(db: Database, workflowId: string, userId: string): Promise<WorkflowRow> {
  const workflow = await getVisibleWorkflow(db, workflowId, userId);
  if (workflow.ownerId === userId) throw new ApiError("FORBIDDEN", "You cannot rate your own workflow");
  return workflow;
}

const ratingView = (workflowId: string, rating: number | null, row: WorkflowRow | undefined) => ({
  workflowId,
  rating,
  stats: row ? workflowStats(row) : null,
});

export async function getMyRating(db: Database, userId: string, workflowId: string) {
  const workflow = await getVisibleWorkflow(db, workflowId, userId);
  const mine = await db
    .select({ rating: ratings.rating })
    .from(ratings)
    .where(and(eq(ratings.userId, userId), eq(ratings.workflowId, workflow.id)))
    .get();
  return ratingView(workflow.id, mine?.rating ?? null, workflow);
}

export async function rateWorkflow(ctx: Ctx, workflowId: string, input: RateWorkflowInput) {
  const workflow = await getRateableWorkflow(ctx.db, workflowId, ctx.userId);
  const iso = ctx.now.toISOString();
  const [, recounted] = await ctx.db.batch([
    ctx.db
      .insert(ratings)
      .values({ userId: ctx.userId, workflowId: workflow.id, rating: input.rating, createdAt: iso, updatedAt: iso })
      .onConflictDoUpdate({ target: [ratings.userId, ratings.workflowId], set: { rating: input.rating, updatedAt: iso } }),
    recountRatingsStatement(ctx.db, workflow.id),
  ]);
  return ratingView(workflow.id, input.rating, recounted[0]);
}

export async function removeRating(ctx: Ctx, workflowId: string) {
  const workflow = await getRateableWorkflow(ctx.db, workflowId, ctx.userId);
  const [removed, recounted] = await ctx.db.batch([
    ctx.db
      .delete(ratings)
      .where(and(eq(ratings.userId, ctx.userId), eq(ratings.workflowId, workflow.id)))
      .returning({ rating: ratings.rating }),
    recountRatingsStatement(ctx.db, workflow.id),
  ]);
  if (removed.length === 0) throw notFound("Your rating of workflow", workflow.id);
  return { ...ratingView(workflow.id, null, recounted[0]), deleted: true };
}
