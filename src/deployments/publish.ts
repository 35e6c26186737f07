import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { deploymentPrompts, deploymentWorkflows, deployments } from "../db/schema";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { promptUpsertStatements, renderAllAdapters, type AdapterPromptsContent } from "./prompt-rendering";
import { buildRecord, type DeploymentRecord } from "./record";
import { deleteStoredRecord, writeRecord } from "./record-store";
import { resolveServedWorkflows } from "./served-workflows";

/**
 * Publishing a deployment's record from D1: after a change (re-resolve, re-render, store the
 * prompts, write KV) and when the KV value is missing (rebuild from the stored prompts).
 */

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
    await deleteStoredRecord(kv, deploymentId);
    return null;
  }
  const served = await resolveServedWorkflows(db, deployment.ownerId, links.map((l) => l.workflowId));
  const contents = renderAllAdapters(served);
  const [first, ...rest] = promptUpsertStatements(db, deploymentId, contents, now.toISOString());
  await db.batch([first!, ...rest]);
  const record = buildRecord(deployment, contents);
  if (!(await writeRecord(db, kv, record))) return null;
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
  return (await writeRecord(db, kv, record)) ? record : null;
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
