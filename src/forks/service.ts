import { eq, sql } from "drizzle-orm";
import type { AuthenticatedUser } from "../auth/types";
import { assertWithinPlanLimit } from "../billing/limits";
import type { Database } from "../db/client";
import { workflows, type WorkflowRow } from "../db/schema";
import type { IdGenerator } from "../services";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { toWorkflowDetail } from "../workflows/dto";
import { insertWorkflowStatements } from "../workflows/service";
import { slugify } from "../workflows/slug";
import type { ForkWorkflowInput } from "./schemas";

const NAME_MAX = 200;
const COPY_SUFFIX = " (copy)";
const FORK_INITIAL_VERSION = "1.0.0";

interface Ctx {
  db: Database;
  ids: IdGenerator;
  now: Date;
  user: AuthenticatedUser;
  upgradeUrl?: string | undefined;
}

export function defaultForkName(sourceName: string): string {
  return sourceName.slice(0, NAME_MAX - COPY_SUFFIX.length) + COPY_SUFFIX;
}

/** `forks_count` counts existing forks; a trigger recounts when a fork is deleted. */
export function recountForksStatement(db: Database, workflowId: string) {
  return db
    .update(workflows)
    .set({ forksCount: sql`(SELECT count(*) FROM workflows AS f WHERE f.forked_from_workflow_id = ${workflowId})` })
    .where(eq(workflows.id, workflowId));
}

/**
 * Copies the source's current manifest into a new private workflow of the caller, which
 * starts its own history at 1.0.0; `forkedFrom` records the source and the version copied.
 * Visibility is checked before the plan limit, so someone else's private workflow is a 404
 * whatever the caller's plan.
 */
export async function forkWorkflow(ctx: Ctx, sourceId: string, input: ForkWorkflowInput) {
  const source = await getVisibleWorkflow(ctx.db, sourceId, ctx.user.id);
  await assertWithinPlanLimit(ctx.db, ctx.user, "workflows", ctx.upgradeUrl);
  const manifest = await getManifest(ctx.db, source.id, source.currentVersion);
  const iso = ctx.now.toISOString();
  const name = input.name ?? defaultForkName(source.name);
  const fork: WorkflowRow = {
    id: ctx.ids.create("wf"),
    ownerId: ctx.user.id,
    name,
    slug: slugify(name),
    description: source.description,
    visibility: "private",
    category: source.category,
    tags: source.tags,
    currentVersion: FORK_INITIAL_VERSION,
    forksCount: 0,
    subscribersCount: 0,
    ratingSum: 0,
    ratingCount: 0,
    featured: false,
    forkedFromWorkflowId: source.id,
    forkedFromUserId: source.ownerId,
    forkedFromVersion: source.currentVersion,
    createdAt: iso,
    updatedAt: iso,
  };
  await ctx.db.batch([
    ...insertWorkflowStatements(ctx, fork, manifest, `Forked from ${source.id}@${source.currentVersion}`, "forked"),
    recountForksStatement(ctx.db, source.id),
  ]);
  return toWorkflowDetail(fork, manifest);
}
