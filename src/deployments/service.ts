import { and, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/client";
import {
  deploymentPrompts,
  deploymentUsageDaily,
  mcpClientHours,
  deploymentWorkflows,
  deployments,
  libraryEntries,
  workflows,
  type DeploymentRow,
} from "../db/schema";
import { ApiError, notFound } from "../errors";
import { buildPage, decodeCursor, newestFirstCursor, olderThan } from "../http/pagination";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { revokeOAuthGrants } from "../oauth/grants";
import type { IdGenerator } from "../services";
import { toDeploymentDto } from "./dto";
import { promptUpsertStatements, renderAllAdapters, type AdapterPromptsContent } from "./prompt-rendering";
import { republishDeployment } from "./publish";
import { buildRecord, type ServedWorkflow } from "./record";
import { deleteStoredRecord, writeRecord } from "./record-store";
import { resolveServedWorkflows } from "./served-workflows";
import type { CreateDeploymentInput, UpdateDeploymentInput } from "./schemas";
import { connectionsThisMonth } from "./usage";

export interface DeploymentCtx {
  db: Database;
  kv: KVNamespace;
  /** OAuth grants of IDEs signed in to deployments (revoked when a deployment is deleted). */
  oauthKv: KVNamespace;
  ids: IdGenerator;
  now: Date;
  userId: string;
  baseUrl: string;
}

/** Someone else's deployment does not exist, as far as the caller can tell. */
export async function getOwnedDeployment(db: Database, deploymentId: string, userId: string): Promise<DeploymentRow> {
  const row = await db.select().from(deployments).where(eq(deployments.id, deploymentId)).get();
  if (!row || row.ownerId !== userId) throw notFound("Deployment", deploymentId);
  return row;
}

/**
 * Each workflow must be the caller's own or in the caller's library. A missing or someone
 * else's private workflow is 404 (as everywhere); a visible one the caller has not added is 403.
 */
export async function assertWorkflowsUsable(db: Database, userId: string, workflowIds: string[]) {
  const [rows, entries] = await db.batch([
    db.select({ id: workflows.id, ownerId: workflows.ownerId, visibility: workflows.visibility }).from(workflows).where(inArray(workflows.id, workflowIds)),
    db
      .select({ workflowId: libraryEntries.workflowId })
      .from(libraryEntries)
      .where(and(eq(libraryEntries.userId, userId), inArray(libraryEntries.workflowId, workflowIds))),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inLibrary = new Set(entries.map((e) => e.workflowId));
  workflowIds.forEach((id, i) => {
    const row = byId.get(id);
    if (!row || (row.visibility === "private" && row.ownerId !== userId)) {
      throw new ApiError("NOT_FOUND", `Workflow '${id}' was not found`, { field: `workflowIds.${i}`, workflowId: id });
    }
    if (row.ownerId !== userId && !inLibrary.has(id)) {
      throw new ApiError("FORBIDDEN", `Workflow '${id}' is neither yours nor in your library; add it to your library first`, {
        field: `workflowIds.${i}`,
        workflowId: id,
      });
    }
  });
}

function linkStatements(db: Database, deploymentId: string, workflowIds: string[]) {
  return workflowIds.map((workflowId, position) => db.insert(deploymentWorkflows).values({ deploymentId, workflowId, position }));
}

export async function createDeployment(ctx: DeploymentCtx, input: CreateDeploymentInput) {
  await assertWorkflowsUsable(ctx.db, ctx.userId, input.workflowIds);
  const iso = ctx.now.toISOString();
  const row: DeploymentRow = {
    id: ctx.ids.create("dep"),
    ownerId: ctx.userId,
    name: input.name,
    description: input.description ?? null,
    enabledAdapters: input.enabledAdapters ?? [...ADAPTERS],
    status: "active",
    allowAnonymous: input.allowAnonymous ?? false,
    authMode: input.authMode ?? "oauth",
    lastConnectedAt: null,
    createdAt: iso,
    updatedAt: iso,
  };
  const served = await resolveServedWorkflows(ctx.db, ctx.userId, input.workflowIds);
  const contents = renderAllAdapters(served);
  await ctx.db.batch([
    ctx.db.insert(deployments).values(row),
    ...linkStatements(ctx.db, row.id, input.workflowIds),
    ...promptUpsertStatements(ctx.db, row.id, contents, iso),
  ]);
  await writeRecord(ctx.db, ctx.kv, buildRecord(row, contents));
  return toDeploymentDto(row, served, 0, ctx.baseUrl);
}

/** What the deployment serves right now, from its stored (claude) rendering. */
async function servedByDeployment(db: Database, deploymentIds: string[]): Promise<Map<string, ServedWorkflow[]>> {
  if (deploymentIds.length === 0) return new Map();
  const rows = await db
    .select({ id: deploymentPrompts.deploymentId, content: deploymentPrompts.content })
    .from(deploymentPrompts)
    .where(and(inArray(deploymentPrompts.deploymentId, deploymentIds), eq(deploymentPrompts.adapter, "claude")));
  return new Map(rows.map((r) => [r.id, (r.content as unknown as AdapterPromptsContent).workflows ?? []]));
}

async function toDtos(ctx: Pick<DeploymentCtx, "db" | "now" | "baseUrl">, rows: DeploymentRow[]) {
  const ids = rows.map((r) => r.id);
  const [served, usage] = await Promise.all([servedByDeployment(ctx.db, ids), connectionsThisMonth(ctx.db, ids, ctx.now)]);
  return rows.map((r) => toDeploymentDto(r, served.get(r.id) ?? [], usage.get(r.id) ?? 0, ctx.baseUrl));
}


export async function listDeployments(
  ctx: DeploymentCtx,
  query: { limit: number; cursor?: string | undefined; status?: "active" | "inactive" | undefined },
) {
  const after = query.cursor ? decodeCursor("deployments", query.cursor, newestFirstCursor) : null;
  const rows = await ctx.db
    .select()
    .from(deployments)
    .where(
      and(
        eq(deployments.ownerId, ctx.userId),
        query.status ? eq(deployments.status, query.status) : undefined,
        olderThan(deployments.createdAt, deployments.id, after),
      ),
    )
    .orderBy(desc(deployments.createdAt), desc(deployments.id))
    .limit(query.limit + 1);
  const page = buildPage(rows, query.limit, "deployments", (r) => ({ c: r.createdAt, i: r.id }), (r) => r);
  return { items: await toDtos(ctx, page.items), pagination: page.pagination };
}

export async function getDeployment(ctx: DeploymentCtx, deploymentId: string) {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  return (await toDtos(ctx, [row]))[0]!;
}

/** Applies a change to the row (and links), then re-renders and rewrites the KV record. */
async function changeAndRepublish(ctx: DeploymentCtx, row: DeploymentRow, set: Partial<DeploymentRow>, workflowIds?: string[]) {
  await ctx.db.batch([
    ctx.db
      .update(deployments)
      .set({ ...set, updatedAt: ctx.now.toISOString() })
      .where(eq(deployments.id, row.id)),
    ...(workflowIds
      ? [ctx.db.delete(deploymentWorkflows).where(eq(deploymentWorkflows.deploymentId, row.id)), ...linkStatements(ctx.db, row.id, workflowIds)]
      : []),
  ]);
  const published = await republishDeployment(ctx.db, ctx.kv, row.id, ctx.now);
  if (!published) throw notFound("Deployment", row.id);
  const usage = await connectionsThisMonth(ctx.db, [row.id], ctx.now);
  return toDeploymentDto(published.row, published.record.workflows, usage.get(row.id) ?? 0, ctx.baseUrl);
}

export async function updateDeployment(ctx: DeploymentCtx, deploymentId: string, input: UpdateDeploymentInput) {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  if (input.workflowIds) await assertWorkflowsUsable(ctx.db, ctx.userId, input.workflowIds);
  const set: Partial<DeploymentRow> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.enabledAdapters !== undefined) set.enabledAdapters = input.enabledAdapters;
  if (input.allowAnonymous !== undefined) set.allowAnonymous = input.allowAnonymous;
  if (input.authMode !== undefined) set.authMode = input.authMode;
  return changeAndRepublish(ctx, row, set, input.workflowIds);
}

export async function setStatus(ctx: DeploymentCtx, deploymentId: string, status: "active" | "inactive") {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  return changeAndRepublish(ctx, row, { status });
}

export async function setAdapter(ctx: DeploymentCtx, deploymentId: string, adapter: Adapter, enabled: boolean) {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  const next = ADAPTERS.filter((a) => (a === adapter ? enabled : row.enabledAdapters.includes(a)));
  if (next.length === 0) {
    throw new ApiError("VALIDATION_ERROR", "At least one adapter must stay enabled; deactivate the deployment instead", {
      issues: [{ path: "enabled", message: `disabling '${adapter}' would leave no adapter enabled` }],
    });
  }
  const dto = await changeAndRepublish(ctx, row, { enabledAdapters: next });
  return { deploymentId: dto.deploymentId, enabledAdapters: dto.enabledAdapters };
}

export async function deleteDeployment(ctx: DeploymentCtx, deploymentId: string) {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  await ctx.db.batch([
    ctx.db.delete(deploymentWorkflows).where(eq(deploymentWorkflows.deploymentId, row.id)),
    ctx.db.delete(deploymentPrompts).where(eq(deploymentPrompts.deploymentId, row.id)),
    ctx.db.delete(deploymentUsageDaily).where(eq(deploymentUsageDaily.deploymentId, row.id)),
    ctx.db.delete(mcpClientHours).where(eq(mcpClientHours.deploymentId, row.id)),
    ctx.db.delete(deployments).where(eq(deployments.id, row.id)),
  ]);
  await deleteStoredRecord(ctx.kv, row.id);
  await revokeOAuthGrants(ctx.oauthKv, row.ownerId, row.id);
  return { deploymentId: row.id, deleted: true as const };
}

/** The rendered prompts one adapter receives (from D1, the source of truth). */
export async function renderedPrompts(ctx: DeploymentCtx, deploymentId: string, adapter: Adapter) {
  const row = await getOwnedDeployment(ctx.db, deploymentId, ctx.userId);
  const stored = await ctx.db
    .select()
    .from(deploymentPrompts)
    .where(and(eq(deploymentPrompts.deploymentId, row.id), eq(deploymentPrompts.adapter, adapter)))
    .get();
  let list = (stored?.content as unknown as AdapterPromptsContent | undefined)?.workflows;
  if (!list) {
    const published = await republishDeployment(ctx.db, ctx.kv, row.id, ctx.now);
    list = published ? published.record.workflows.map((w, i) => ({ ...w, ...published.record.rendered[adapter][i]! })) : [];
  }
  return {
    deploymentId: row.id,
    adapter,
    enabled: row.enabledAdapters.includes(adapter),
    prompts: list.map((w) => ({
      name: w.promptName,
      workflowId: w.workflowId,
      workflowName: w.name,
      version: w.version,
      isOwned: w.isOwned,
      description: w.description,
      text: w.text,
      ...(w.functions ? { functions: w.functions } : {}),
    })),
    ...(adapter === "codex" ? { functions: deploymentFunctions(list) } : {}),
  };
}

const MAX_FUNCTION_NAME = 64;

/**
 * Every step of every workflow as one function list. Function-calling APIs refuse duplicate
 * names, and two workflows often share step ids (a fork, a common template), so a colliding
 * name is qualified with its workflow's prompt name; unique names stay the plain step id.
 */
function deploymentFunctions(list: AdapterPromptsContent["workflows"]) {
  const all = list.flatMap((w) => (w.functions ?? []).map((fn) => ({ w, fn })));
  const uses = new Map<string, number>();
  for (const { fn } of all) uses.set(fn.name, (uses.get(fn.name) ?? 0) + 1);
  return all.map(({ w, fn }) =>
    uses.get(fn.name)! > 1
      ? { ...fn, name: `${w.promptName}__${fn.name}`.slice(0, MAX_FUNCTION_NAME), description: `[${w.name}] ${fn.description}` }
      : fn,
  );
}
