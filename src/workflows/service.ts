import { and, desc, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import {
  deploymentWorkflows,
  libraryEntries,
  ratings,
  workflowVersions,
  workflows,
  type WorkflowRow,
} from "../db/schema";
import { ApiError } from "../errors";
import { buildPage, decodeCursor, newestFirstCursor, olderThan } from "../http/pagination";
import { ADAPTERS } from "../manifest/schema";
import { bumpPatch, compareSemver, formatSemver, parseSemver } from "../manifest/semver";
import type { RequestContext } from "../http/request-context";
import { getManifest, getOwnedWorkflow } from "./access";
import { toWorkflowDetail, toWorkflowSummary } from "./dto";
import type { CreateWorkflowInput, UpdateWorkflowInput } from "./schemas";
import { slugify } from "./slug";

const INITIAL_VERSION = "1.0.0";

type Ctx = RequestContext;

/** Key order does not make two manifests different. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function createWorkflow(ctx: Ctx, input: CreateWorkflowInput) {
  const iso = ctx.now.toISOString();
  const row: WorkflowRow = {
    id: ctx.ids.create("wf"),
    ownerId: ctx.userId,
    name: input.name,
    slug: slugify(input.name),
    description: input.description ?? null,
    visibility: input.visibility ?? "private",
    category: input.category ?? null,
    tags: input.tags ?? [],
    currentVersion: INITIAL_VERSION,
    forksCount: 0,
    subscribersCount: 0,
    ratingSum: 0,
    ratingCount: 0,
    featured: false,
    forkedFromWorkflowId: null,
    forkedFromUserId: null,
    forkedFromVersion: null,
    createdAt: iso,
    updatedAt: iso,
  };
  await ctx.db.batch(insertWorkflowStatements(ctx, row, input.manifest, input.changelog ?? null));
  return toWorkflowDetail(row, input.manifest);
}

/** The workflow, its first version and the owner's library entry, for one atomic batch. */
export function insertWorkflowStatements(
  ctx: Pick<Ctx, "db" | "ids">,
  row: WorkflowRow,
  manifest: Record<string, unknown>,
  changelog: string | null,
  librarySource: "owned" | "forked" = "owned",
) {
  const version = parseSemver(row.currentVersion)!;
  return [
    ctx.db.insert(workflows).values(row),
    ctx.db.insert(workflowVersions).values({
      workflowId: row.id,
      version: row.currentVersion,
      ...version,
      manifest,
      changelog,
      createdAt: row.createdAt,
    }),
    ctx.db.insert(libraryEntries).values({
      id: ctx.ids.create("lib"),
      userId: row.ownerId,
      workflowId: row.id,
      sourceType: librarySource,
      sourceUserId: librarySource === "owned" ? row.ownerId : (row.forkedFromUserId ?? row.ownerId),
      isActive: true,
      enabledAdapters: [...ADAPTERS],
      pinnedVersion: row.currentVersion,
      autoUpdate: true,
      addedAt: row.createdAt,
      updatedAt: row.createdAt,
    }),
  ] as const;
}

export async function updateWorkflow(ctx: Ctx, workflowId: string, input: UpdateWorkflowInput) {
  const current = await getOwnedWorkflow(ctx.db, workflowId, ctx.userId);
  const currentManifest = await getManifest(ctx.db, workflowId, current.currentVersion);
  const currentVersion = parseSemver(current.currentVersion)!;

  const manifestChanged = input.manifest !== undefined && canonicalJson(input.manifest) !== canonicalJson(currentManifest);
  let nextVersion: string | null = null;
  if (input.version !== undefined) {
    const requested = parseSemver(input.version)!;
    if (compareSemver(requested, currentVersion) <= 0) {
      throw new ApiError("CONFLICT", `version ${input.version} must be greater than the current version ${current.currentVersion}`, {
        currentVersion: current.currentVersion,
        requestedVersion: input.version,
      });
    }
    nextVersion = formatSemver(requested);
  } else if (manifestChanged) {
    nextVersion = formatSemver(bumpPatch(currentVersion));
  }

  const iso = ctx.now.toISOString();
  const fields = {
    name: input.name ?? current.name,
    slug: input.name !== undefined ? slugify(input.name) : current.slug,
    description: input.description !== undefined ? input.description : current.description,
    visibility: input.visibility ?? current.visibility,
    category: input.category !== undefined ? input.category : current.category,
    tags: input.tags ?? current.tags,
    currentVersion: nextVersion ?? current.currentVersion,
    updatedAt: iso,
  };
  // Both statements are guarded on the current_version this request read, inside one batch (one
  // transaction): either both apply or neither does, so a 409 leaves no version behind and the
  // current version is always the newest stored one.
  const guard = and(eq(workflows.id, workflowId), eq(workflows.currentVersion, current.currentVersion));
  const guardedUpdate = ctx.db.update(workflows).set(fields).where(guard).returning({ id: workflows.id });
  const manifest = manifestChanged ? input.manifest! : currentManifest;
  try {
    if (nextVersion) {
      const [, updated] = await ctx.db.batch([guardedVersionInsert(ctx.db, workflowId, current.currentVersion, {
        version: nextVersion,
        manifest,
        changelog: input.changelog ?? null,
        createdAt: iso,
      }), guardedUpdate]);
      if (updated.length === 0) throw conflictingUpdate();
    } else {
      const updated = await guardedUpdate;
      if (updated.length === 0) throw conflictingUpdate();
    }
  } catch (err) {
    if (isUniqueViolation(err)) throw conflictingUpdate();
    throw err;
  }
  return { row: { ...current, ...fields }, manifest, newVersion: nextVersion };
}

/** INSERT … SELECT … FROM workflows WHERE current_version = expected: inserts nothing once another update won. */
function guardedVersionInsert(
  db: Database,
  workflowId: string,
  expectedVersion: string,
  v: { version: string; manifest: Record<string, unknown>; changelog: string | null; createdAt: string },
) {
  const { major, minor, patch } = parseSemver(v.version)!;
  // Column order of workflow_versions.
  return db.insert(workflowVersions).select(
    sql`select ${workflowId}, ${v.version}, ${major}, ${minor}, ${patch}, ${JSON.stringify(v.manifest)}, ${v.changelog}, ${v.createdAt}
        from ${workflows} where ${workflows.id} = ${workflowId} and ${workflows.currentVersion} = ${expectedVersion}`,
  );
}

const conflictingUpdate = () =>
  new ApiError("CONFLICT", "The workflow was changed by another request; fetch it and try again");

/**
 * Deletes the workflow, its versions, ratings and every library entry pointing at it
 * (subscribers' entries are removed: documented rule), and drops it from deployments.
 */
export function deleteWorkflowStatements(db: Database, workflowIds: string[]): BatchItem<"sqlite">[] {
  return workflowIds.flatMap((id) => [
    db.delete(workflowVersions).where(eq(workflowVersions.workflowId, id)),
    db.delete(libraryEntries).where(eq(libraryEntries.workflowId, id)),
    db.delete(ratings).where(eq(ratings.workflowId, id)),
    db.delete(deploymentWorkflows).where(eq(deploymentWorkflows.workflowId, id)),
    db.delete(workflows).where(eq(workflows.id, id)),
  ]);
}

export async function deleteWorkflow(ctx: Ctx, workflowId: string) {
  const row = await getOwnedWorkflow(ctx.db, workflowId, ctx.userId);
  const [first, ...rest] = deleteWorkflowStatements(ctx.db, [row.id]);
  await ctx.db.batch([first!, ...rest]);
  return row;
}

export async function listOwnWorkflows(
  db: Database,
  userId: string,
  query: { limit: number; cursor?: string | undefined; visibility?: "public" | "private" | undefined },
) {
  const after = query.cursor ? decodeCursor("workflows", query.cursor, newestFirstCursor) : null;
  const rows = await db
    .select()
    .from(workflows)
    .where(
      and(
        eq(workflows.ownerId, userId),
        query.visibility ? eq(workflows.visibility, query.visibility) : undefined,
        olderThan(workflows.createdAt, workflows.id, after),
      ),
    )
    .orderBy(desc(workflows.createdAt), desc(workflows.id))
    .limit(query.limit + 1);
  return buildPage(rows, query.limit, "workflows", (r) => ({ c: r.createdAt, i: r.id }), toWorkflowSummary);
}

export async function listVersions(db: Database, workflowId: string) {
  return db
    .select({ version: workflowVersions.version, createdAt: workflowVersions.createdAt, changelog: workflowVersions.changelog })
    .from(workflowVersions)
    .where(eq(workflowVersions.workflowId, workflowId))
    .orderBy(desc(workflowVersions.major), desc(workflowVersions.minor), desc(workflowVersions.patch));
}
