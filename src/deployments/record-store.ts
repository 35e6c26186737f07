import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { deployments } from "../db/schema";
import { forgetRecord } from "./record-cache";
import { upgradeRecord, type DeploymentRecord } from "./record";

/**
 * Where a deployment's record lives in KV, and every write and delete of it. Each one evicts
 * the isolate's cached copy (`record-cache.ts`), before and after the KV call, so this
 * isolate's next MCP request reads what was written. The MCP path reads ONLY this key;
 * account deletion removes `dep:{deploymentId}` for each of the user's deployments.
 */
const DEPLOYMENT_KV_PREFIX = "dep:";
export const deploymentKvKey = (deploymentId: string) => `${DEPLOYMENT_KV_PREFIX}${deploymentId}`;

/**
 * KV records expire: a record can never outlive its deployment row by more than this, whatever
 * happened between the D1 write and the KV write. A missing record is rebuilt from D1.
 */
export const DEPLOYMENT_RECORD_TTL_SECONDS = 24 * 3600;

/** The stored record in its current shape; null when missing or of a shape to rebuild. */
export async function readStoredRecord(kv: KVNamespace, deploymentId: string): Promise<DeploymentRecord | null> {
  return upgradeRecord(await kv.get(deploymentKvKey(deploymentId), "json"));
}

export async function deleteStoredRecord(kv: KVNamespace, deploymentId: string): Promise<void> {
  forgetRecord(deploymentId);
  await kv.delete(deploymentKvKey(deploymentId));
  forgetRecord(deploymentId);
}

/**
 * Writes the record, then confirms the deployment row still exists: a deletion that committed
 * between our D1 read and this KV write would otherwise leave a record serving a deleted
 * deployment (the deletion drops KV before and after its batch; this closes the gap after it).
 */
export async function writeRecord(db: Database, kv: KVNamespace, record: DeploymentRecord): Promise<boolean> {
  forgetRecord(record.deploymentId);
  await kv.put(deploymentKvKey(record.deploymentId), JSON.stringify(record), { expirationTtl: DEPLOYMENT_RECORD_TTL_SECONDS });
  forgetRecord(record.deploymentId);
  const still = await db.select({ id: deployments.id }).from(deployments).where(eq(deployments.id, record.deploymentId)).get();
  if (still) return true;
  await deleteStoredRecord(kv, record.deploymentId);
  return false;
}
