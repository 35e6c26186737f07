import type { Database } from "../db/client";
import { isKnownMissing, rememberMissing } from "./missing-deployments";
import { rebuildRecord } from "./publish";
import type { DeploymentRecord } from "./record";
import { cachedRecord, recordCacheGeneration, rememberRecord } from "./record-cache";
import { readStoredRecord } from "./record-store";

/**
 * The MCP hot path's one read: the isolate's cached record (no I/O), else one KV read, else
 * (missing) the negative cache, then a rebuild from D1 (`db` is opened only then). Whoever may
 * use the record is checked by the caller on every request; the record itself is the same for
 * every caller.
 */
export async function loadRecord(db: () => Database, kv: KVNamespace, deploymentId: string, now: Date): Promise<DeploymentRecord | null> {
  const hit = cachedRecord(deploymentId);
  if (hit) return hit;
  const generation = recordCacheGeneration();
  const stored = await readStoredRecord(kv, deploymentId);
  if (stored) return rememberRecord(stored, generation);
  if (await isKnownMissing(kv, deploymentId)) return null;
  const rebuilt = await rebuildRecord(db(), kv, deploymentId, now);
  if (!rebuilt) await rememberMissing(kv, deploymentId);
  return rebuilt;
}
