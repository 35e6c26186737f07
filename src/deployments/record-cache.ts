import { rememberBounded } from "../env";
import type { DeploymentRecord } from "./record";

/**
 * The per-isolate cache of deployment records: the one piece of module state in the Worker,
 * because on the MCP hot path reading and parsing the record from KV costs more than the
 * whole rest of a request.
 *
 * - What it holds: a deployment's KV record as read, deep-frozen (no request can change what the
 *   next one sees). A record is the deployment's own configuration, the same for every caller;
 *   who may use it is checked on every request, cached or not. No caller's data is ever cached.
 * - Bounded: at most RECORD_CACHE_ENTRIES deployments, least recently used evicted first.
 * - Fresh: an entry is trusted for RECORD_CACHE_TTL_MS, then KV is read again. Every deployment
 *   write, delete or deactivation made in this isolate evicts the entry at once, so in the
 *   isolate that made a change it applies to the next request; another isolate may serve the
 *   previous record for up to the TTL longer than KV's own propagation (~60 s).
 * - Races: a read that started before an eviction does not store what it read (a write may
 *   have replaced it meanwhile); the generation counter tells.
 */
export const RECORD_CACHE_TTL_MS = 5_000;
const RECORD_CACHE_ENTRIES = 512;

interface Entry {
  record: DeploymentRecord;
  expiresAt: number;
}

const entries = new Map<string, Entry>();
let generation = 0;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The cached record, or undefined when there is none or it is older than the TTL. */
export function cachedRecord(deploymentId: string): DeploymentRecord | undefined {
  const entry = entries.get(deploymentId);
  if (!entry) return undefined;
  entries.delete(deploymentId);
  if (entry.expiresAt <= Date.now()) return undefined;
  entries.set(deploymentId, entry); // most recently used last
  return entry.record;
}

/** Taken before reading KV; `rememberRecord` stores only if no eviction happened since. */
export const recordCacheGeneration = () => generation;

export function rememberRecord(record: DeploymentRecord, readAtGeneration: number): DeploymentRecord {
  const frozen = deepFreeze(record);
  if (readAtGeneration !== generation) return frozen;
  rememberBounded(entries, record.deploymentId, { record: frozen, expiresAt: Date.now() + RECORD_CACHE_TTL_MS }, RECORD_CACHE_ENTRIES);
  return frozen;
}

/** Every write or delete of a deployment's KV record calls this (before and after the KV call). */
export function forgetRecord(deploymentId: string): void {
  generation++;
  entries.delete(deploymentId);
}
