import { and, asc, eq, inArray, or } from "drizzle-orm";
import type { Database } from "../db/client";
import {
  deploymentPrompts,
  deploymentWorkflows,
  deployments,
  libraryEntries,
  workflowVersions,
  workflows,
  type DeploymentRow,
} from "../db/schema";
import { renderWorkflow, type RenderedWorkflow } from "../manifest/render";
import { ADAPTERS, type Adapter, type Manifest } from "../manifest/schema";

/**
 * KV key of a deployment's lookup record. The MCP path reads ONLY this key; account deletion
 * removes `dep:{deploymentId}` for each of the user's deployments.
 */
export const DEPLOYMENT_KV_PREFIX = "dep:";
export const deploymentKvKey = (deploymentId: string) => `${DEPLOYMENT_KV_PREFIX}${deploymentId}`;

/** A workflow as one deployment serves it: at the version the owner's library says. */
export interface ServedWorkflow {
  workflowId: string;
  name: string;
  version: string;
  isOwned: boolean;
  /** Unique within the deployment: the MCP prompt name. */
  promptName: string;
  description: string | null;
  manifest: Manifest;
}

/** One deployment_prompts row's content (D1 is the source of truth the KV record is rebuilt from). */
export interface AdapterPromptsContent {
  workflows: (ServedWorkflow & RenderedWorkflow)[];
}

/** Everything `/mcp/{deploymentId}` needs, in one KV value. */
export interface DeploymentRecord {
  v: 1;
  deploymentId: string;
  ownerId: string;
  name: string;
  description: string | null;
  status: "active" | "inactive";
  allowAnonymous: boolean;
  /** Absent in records written before OAuth sign-in existed: read it with `authModeOf`. */
  authMode?: "header" | "oauth";
  enabledAdapters: Adapter[];
  workflows: ServedWorkflow[];
  /** Index-aligned with `workflows`. */
  rendered: Record<Adapter, RenderedWorkflow[]>;
}

export const authModeOf = (record: DeploymentRecord): "header" | "oauth" => record.authMode ?? "oauth";

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

/** Every adapter is rendered, enabled or not, so toggling an adapter never needs a re-render. */
export function renderAllAdapters(served: ServedWorkflow[]): Record<Adapter, AdapterPromptsContent> {
  const out = {} as Record<Adapter, AdapterPromptsContent>;
  for (const adapter of ADAPTERS) {
    out[adapter] = { workflows: served.map((w) => ({ ...w, ...renderWorkflow(adapter, w.manifest) })) };
  }
  return out;
}

export function promptUpsertStatements(db: Database, deploymentId: string, contents: Record<Adapter, AdapterPromptsContent>, iso: string) {
  return ADAPTERS.map((adapter) =>
    db
      .insert(deploymentPrompts)
      .values({ deploymentId, adapter, content: contents[adapter] as unknown as Record<string, unknown>, updatedAt: iso })
      .onConflictDoUpdate({
        target: [deploymentPrompts.deploymentId, deploymentPrompts.adapter],
        set: { content: contents[adapter] as unknown as Record<string, unknown>, updatedAt: iso },
      }),
  );
}

export function buildRecord(row: DeploymentRow, contents: Record<Adapter, AdapterPromptsContent>): DeploymentRecord {
  const rendered = {} as Record<Adapter, RenderedWorkflow[]>;
  for (const adapter of ADAPTERS) {
    rendered[adapter] = contents[adapter].workflows.map((w) => (w.functions ? { text: w.text, functions: w.functions } : { text: w.text }));
  }
  return {
    v: 1,
    deploymentId: row.id,
    ownerId: row.ownerId,
    name: row.name,
    description: row.description,
    status: row.status,
    allowAnonymous: row.allowAnonymous,
    authMode: row.authMode,
    enabledAdapters: ADAPTERS.filter((a) => row.enabledAdapters.includes(a)),
    workflows: contents.claude.workflows.map(({ text: _t, functions: _f, ...served }) => served),
    rendered,
  };
}

export async function writeRecord(kv: KVNamespace, record: DeploymentRecord): Promise<void> {
  await kv.put(deploymentKvKey(record.deploymentId), JSON.stringify(record));
}

/**
 * Re-resolves the served workflows, re-renders every adapter, stores the prompts in D1 and
 * rewrites the KV record. A deployment that no longer exists loses its KV record.
 */
export async function republishDeployment(db: Database, kv: KVNamespace, deploymentId: string, now: Date) {
  const [row, links] = await db.batch([
    db.select().from(deployments).where(eq(deployments.id, deploymentId)),
    db
      .select({ workflowId: deploymentWorkflows.workflowId })
      .from(deploymentWorkflows)
      .where(eq(deploymentWorkflows.deploymentId, deploymentId))
      .orderBy(asc(deploymentWorkflows.position)),
  ]);
  const deployment = row[0];
  if (!deployment) {
    await kv.delete(deploymentKvKey(deploymentId));
    return null;
  }
  const served = await resolveServedWorkflows(db, deployment.ownerId, links.map((l) => l.workflowId));
  const contents = renderAllAdapters(served);
  const [first, ...rest] = promptUpsertStatements(db, deploymentId, contents, now.toISOString());
  await db.batch([first!, ...rest]);
  const record = buildRecord(deployment, contents);
  await writeRecord(kv, record);
  return { row: deployment, record };
}

/** Cold path: the KV record is missing (evicted, never written, or written elsewhere not yet visible). */
export async function rebuildRecord(db: Database, kv: KVNamespace, deploymentId: string, now: Date): Promise<DeploymentRecord | null> {
  const [rows, prompts] = await db.batch([
    db.select().from(deployments).where(eq(deployments.id, deploymentId)),
    db.select().from(deploymentPrompts).where(eq(deploymentPrompts.deploymentId, deploymentId)),
  ]);
  const row = rows[0];
  if (!row) return null;
  const contents = Object.fromEntries(prompts.map((p) => [p.adapter, p.content])) as Partial<Record<Adapter, AdapterPromptsContent>>;
  if (ADAPTERS.some((a) => !contents[a]?.workflows)) {
    return (await republishDeployment(db, kv, deploymentId, now))?.record ?? null;
  }
  const record = buildRecord(row, contents as Record<Adapter, AdapterPromptsContent>);
  await writeRecord(kv, record);
  return record;
}

/** Remembers for a minute that an id has no deployment, so probing random ids cannot hammer D1. */
export const missingDeploymentKvKey = (deploymentId: string) => `dep-missing:${deploymentId}`;
const MISSING_TTL_SECONDS = 60; // KV's minimum expiration

/** The MCP hot path: one KV read; D1 only when the record is missing. */
export async function loadRecord(db: Database, kv: KVNamespace, deploymentId: string, now: Date): Promise<DeploymentRecord | null> {
  const cached = await kv.get<DeploymentRecord>(deploymentKvKey(deploymentId), "json");
  if (cached && cached.v === 1) return cached;
  if ((await kv.get(missingDeploymentKvKey(deploymentId))) !== null) return null;
  const record = await rebuildRecord(db, kv, deploymentId, now);
  if (!record) await kv.put(missingDeploymentKvKey(deploymentId), "1", { expirationTtl: MISSING_TTL_SECONDS });
  return record;
}

/** Deployments that serve a workflow; with `ownerId`, only that user's (a library change is theirs alone). */
export async function deploymentIdsServing(db: Database, workflowId: string, ownerId?: string): Promise<string[]> {
  const rows = await db
    .select({ id: deploymentWorkflows.deploymentId })
    .from(deploymentWorkflows)
    .innerJoin(deployments, eq(deployments.id, deploymentWorkflows.deploymentId))
    .where(and(eq(deploymentWorkflows.workflowId, workflowId), ownerId ? eq(deployments.ownerId, ownerId) : undefined));
  return rows.map((r) => r.id);
}

export async function refreshDeployments(db: Database, kv: KVNamespace, deploymentIds: string[], now = new Date()) {
  await Promise.all([...new Set(deploymentIds)].map((id) => republishDeployment(db, kv, id, now)));
}

/**
 * Call after a workflow gets a new version or is renamed (every owner's deployments), or after a
 * library entry changes (`ownerId`: only that user's). For a deleted workflow, collect
 * `deploymentIdsServing` BEFORE deleting (the delete removes the links) and pass them to
 * `refreshDeployments` afterwards.
 */
export async function refreshDeploymentsForWorkflow(db: Database, kv: KVNamespace, workflowId: string, now = new Date(), ownerId?: string) {
  await refreshDeployments(db, kv, await deploymentIdsServing(db, workflowId, ownerId), now);
}
