import type { Database } from "../db/client";
import type { MaybePromise } from "../maybe-promise";
import type { Clock } from "../services";
import { isKnownMissing, rememberMissing } from "./missing-deployments";
import { rebuildRecord } from "./publish";
import type { DeploymentRecord } from "./record";
import { cachedRecord, recordCacheGeneration, rememberRecord } from "./record-cache";
import { readStoredRecord } from "./record-store";

/**
 * The MCP hot path's one read: the isolate's cached record (no I/O, and returned at once, not as
 * a promise), else one KV read, else (missing) the negative cache, then a rebuild from D1 (`db`
 * is opened only then). Whoever may use the record is checked by the caller on every request;
 * the record itself is the same for every caller.
 */
export function loadRecord(db: () => Database, kv: KVNamespace, deploymentId: string, clock: Clock): MaybePromise<DeploymentRecord | null> {
  return cachedRecord(deploymentId) ?? readRecord(db, kv, deploymentId, clock);
}

async function readRecord(db: () => Database, kv: KVNamespace, deploymentId: string, clock: Clock): Promise<DeploymentRecord | null> {
  const generation = recordCacheGeneration();
  const stored = await readStoredRecord(kv, deploymentId);
  if (stored) return rememberRecord(stored, generation);
  if (await isKnownMissing(kv, deploymentId)) return null;
  const rebuilt = await rebuildRecord(db(), kv, deploymentId, clock.now());
  if (!rebuilt) await rememberMissing(kv, deploymentId);
  return rebuilt;
}
