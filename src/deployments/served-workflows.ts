import { and, eq, inArray, or } from "drizzle-orm";
import type { Database } from "../db/client";
import { libraryEntries, workflowVersions, workflows } from "../db/schema";
import type { Manifest } from "../manifest/schema";
import type { ServedWorkflow } from "./record";

const MAX_PROMPT_NAME = 64;

function uniqueNames(slugs: string[]): string[] {
  const seen = new Map<string, number>();
  return slugs.map((slug) => {
    const n = (seen.get(slug) ?? 0) + 1;
    seen.set(slug, n);
    return n === 1 ? slug : `${slug.slice(0, MAX_PROMPT_NAME - 4)}_${n}`;
  });
}

/**
 * The workflows a deployment serves, in the deployment's order. Owned: the newest version.
 * Others: only while in the owner's library and public, at the pinned version unless the
 * entry auto-updates. Anything else (deleted, unsubscribed, made private) is left out.
 */
export async function resolveServedWorkflows(db: Database, ownerId: string, workflowIds: string[]): Promise<ServedWorkflow[]> {
  if (workflowIds.length === 0) return [];
  const [rows, entries] = await db.batch([
    db.select().from(workflows).where(inArray(workflows.id, workflowIds)),
    db
      .select()
      .from(libraryEntries)
      .where(and(eq(libraryEntries.userId, ownerId), inArray(libraryEntries.workflowId, workflowIds))),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const entryOf = new Map(entries.map((e) => [e.workflowId, e]));

  const picks: { row: (typeof rows)[number]; version: string; isOwned: boolean }[] = [];
  for (const id of workflowIds) {
    const row = byId.get(id);
    if (!row) continue;
    if (row.ownerId === ownerId) {
      picks.push({ row, version: row.currentVersion, isOwned: true });
      continue;
    }
    const entry = entryOf.get(id);
    if (!entry || row.visibility !== "public") continue;
    picks.push({ row, version: entry.autoUpdate ? row.currentVersion : entry.pinnedVersion, isOwned: false });
  }
  if (picks.length === 0) return [];

  const versions = await db
    .select({ workflowId: workflowVersions.workflowId, version: workflowVersions.version, manifest: workflowVersions.manifest })
    .from(workflowVersions)
    .where(or(...picks.map((p) => and(eq(workflowVersions.workflowId, p.row.id), eq(workflowVersions.version, p.version)))));
  const manifestOf = new Map(versions.map((v) => [`${v.workflowId}@${v.version}`, v.manifest as Manifest]));

  const found = picks.filter((p) => manifestOf.has(`${p.row.id}@${p.version}`));
  const names = uniqueNames(found.map((p) => p.row.slug));
  return found.map((p, i) => ({
    workflowId: p.row.id,
    name: p.row.name,
    version: p.version,
    isOwned: p.isOwned,
    promptName: names[i]!,
    description: p.row.description,
    manifest: manifestOf.get(`${p.row.id}@${p.version}`)!,
  }));
}
