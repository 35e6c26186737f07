import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { libraryEntries, workflows, type LibraryEntryRow } from "../db/schema";
import { ApiError, notFound } from "../errors";
import { buildPage, decodeCursor } from "../http/pagination";
import { ADAPTERS } from "../manifest/schema";
import type { IdGenerator } from "../services";
import { getManifest, getVisibleWorkflow } from "../workflows/access";
import { isUniqueViolation } from "../db/errors";
import type { AddToLibraryInput, ListLibraryQuery, UpdateLibraryEntryInput } from "./schemas";

interface Ctx {
  db: Database;
  ids: IdGenerator;
  now: Date;
  userId: string;
}

interface EntryWithWorkflow {
  entry: LibraryEntryRow;
  workflowName: string;
  currentVersion: string;
  visibility: "public" | "private";
  ownerId: string;
}

function entrySelect(db: Database) {
  return db
    .select({
      entry: libraryEntries,
      workflowName: workflows.name,
      currentVersion: workflows.currentVersion,
      visibility: workflows.visibility,
      ownerId: workflows.ownerId,
    })
    .from(libraryEntries)
    .innerJoin(workflows, eq(workflows.id, libraryEntries.workflowId));
}

/** autoUpdate follows the newest version; otherwise the entry stays on its pinned version. */
export function servedVersion(entry: LibraryEntryRow, currentVersion: string): string {
  return entry.autoUpdate ? currentVersion : entry.pinnedVersion;
}

export function toLibraryEntry({ entry, workflowName, currentVersion }: EntryWithWorkflow) {
  return {
    libraryId: entry.id,
    workflowId: entry.workflowId,
    userId: entry.userId,
    sourceType: entry.sourceType,
    sourceUserId: entry.sourceUserId,
    isActive: entry.isActive,
    enabledAdapters: entry.enabledAdapters,
    workflowName,
    workflowVersion: servedVersion(entry, currentVersion),
    autoUpdate: entry.autoUpdate,
    addedAt: entry.addedAt,
    updatedAt: entry.updatedAt,
  };
}

/**
 * Recomputes `subscribers_count` from the rows themselves. Run in the same batch (one D1
 * transaction) as the insert/delete, so concurrent subscribes can never lose an update.
 */
export function recountSubscribersStatement(db: Database, workflowId: string) {
  return db
    .update(workflows)
    .set({
      subscribersCount: sql`(SELECT count(*) FROM library_entries WHERE workflow_id = ${workflowId} AND source_type = 'subscribed')`,
    })
    .where(eq(workflows.id, workflowId));
}

const libraryCursor = z.object({ a: z.string(), i: z.string() });

export async function listLibrary(db: Database, userId: string, query: ListLibraryQuery) {
  const after = query.cursor ? decodeCursor("library", query.cursor, libraryCursor) : null;
  const rows = await entrySelect(db)
    .where(
      and(
        eq(libraryEntries.userId, userId),
        query.activeOnly ? eq(libraryEntries.isActive, true) : undefined,
        after ? sql`(${libraryEntries.addedAt}, ${libraryEntries.id}) < (${after.a}, ${after.i})` : undefined,
      ),
    )
    .orderBy(desc(libraryEntries.addedAt), desc(libraryEntries.id))
    .limit(query.limit + 1);
  return buildPage(rows, query.limit, "library", (r) => ({ a: r.entry.addedAt, i: r.entry.id }), toLibraryEntry);
}

async function findEntry(db: Database, userId: string, workflowId: string) {
  const row = await entrySelect(db)
    .where(and(eq(libraryEntries.userId, userId), eq(libraryEntries.workflowId, workflowId)))
    .get();
  if (!row) throw notFound("Library entry for workflow", workflowId);
  return row;
}

/**
 * The entry plus the manifest of the version it serves (the pinned one when autoUpdate is
 * off). A workflow its owner has since made private keeps the entry listed but shows no
 * manifest to anyone else.
 */
export async function getLibraryEntry(db: Database, userId: string, workflowId: string) {
  const row = await findEntry(db, userId, workflowId);
  const available = row.visibility === "public" || row.ownerId === userId;
  const version = servedVersion(row.entry, row.currentVersion);
  return {
    ...toLibraryEntry(row),
    latestVersion: row.currentVersion,
    available,
    manifest: available ? await getManifest(db, workflowId, version) : null,
  };
}

export async function addToLibrary(ctx: Ctx, workflowId: string, input: AddToLibraryInput) {
  const workflow = await getVisibleWorkflow(ctx.db, workflowId, ctx.userId);
  const iso = ctx.now.toISOString();
  const entry: LibraryEntryRow = {
    id: ctx.ids.create("lib"),
    userId: ctx.userId,
    workflowId: workflow.id,
    // Re-adding your own workflow (after removing its entry) restores it as owned.
    sourceType: workflow.ownerId === ctx.userId ? "owned" : "subscribed",
    sourceUserId: workflow.ownerId,
    isActive: true,
    enabledAdapters: input.enabledAdapters ?? [...ADAPTERS],
    pinnedVersion: workflow.currentVersion,
    autoUpdate: input.autoUpdate ?? true,
    addedAt: iso,
    updatedAt: iso,
  };
  let withdrawn: { id: string }[];
  try {
    [, withdrawn] = await ctx.db.batch([
      ctx.db.insert(libraryEntries).values(entry),
      // Undoes the insert in the same transaction if the workflow was deleted or made private
      // since we read it, so no entry ever points at something the caller may not see.
      ctx.db
        .delete(libraryEntries)
        .where(
          and(
            eq(libraryEntries.id, entry.id),
            sql`NOT EXISTS (SELECT 1 FROM workflows WHERE id = ${workflow.id} AND (visibility = 'public' OR owner_id = ${ctx.userId}))`,
          ),
        )
        .returning({ id: libraryEntries.id }),
      recountSubscribersStatement(ctx.db, workflow.id),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ApiError("CONFLICT", `Workflow '${workflow.id}' is already in your library`, { workflowId: workflow.id });
    }
    throw err;
  }
  if (withdrawn.length > 0) throw notFound("Workflow", workflow.id);
  return toLibraryEntry({ entry, workflowName: workflow.name, currentVersion: workflow.currentVersion, visibility: workflow.visibility, ownerId: workflow.ownerId });
}

export async function updateLibraryEntry(ctx: Ctx, workflowId: string, input: UpdateLibraryEntryInput) {
  const newestVersion = sql`(SELECT current_version FROM workflows WHERE workflows.id = library_entries.workflow_id)`;
  const updated = await ctx.db
    .update(libraryEntries)
    .set({
      updatedAt: ctx.now.toISOString(),
      ...(input.isActive !== undefined ? { isActive: input.isActive } : {}),
      ...(input.enabledAdapters !== undefined ? { enabledAdapters: input.enabledAdapters } : {}),
      ...(input.autoUpdate !== undefined
        ? {
            autoUpdate: input.autoUpdate,
            // Turning autoUpdate off pins the version the entry was following; leaving it off
            // keeps the existing pin; turning it on follows the newest again.
            pinnedVersion: input.autoUpdate
              ? newestVersion
              : sql`CASE WHEN ${libraryEntries.autoUpdate} THEN ${newestVersion} ELSE ${libraryEntries.pinnedVersion} END`,
          }
        : {}),
    })
    .where(and(eq(libraryEntries.userId, ctx.userId), eq(libraryEntries.workflowId, workflowId)))
    .returning({ id: libraryEntries.id });
  if (updated.length === 0) throw notFound("Library entry for workflow", workflowId);
  return toLibraryEntry(await findEntry(ctx.db, ctx.userId, workflowId));
}

export async function removeFromLibrary(ctx: Ctx, workflowId: string) {
  const [removed] = await ctx.db.batch([
    ctx.db
      .delete(libraryEntries)
      .where(and(eq(libraryEntries.userId, ctx.userId), eq(libraryEntries.workflowId, workflowId)))
      .returning({ id: libraryEntries.id }),
    recountSubscribersStatement(ctx.db, workflowId),
  ]);
  const entry = removed[0];
  if (!entry) throw notFound("Library entry for workflow", workflowId);
  return { libraryId: entry.id, workflowId, deleted: true };
}
