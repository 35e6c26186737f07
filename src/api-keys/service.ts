import { and, desc, eq, lt, or, isNull } from "drizzle-orm";
import type { Database } from "../db/client";
import { apiKeys, users, type UserRow } from "../db/schema";
import { randomToken, sha256Hex } from "../services";

export const API_KEY_PREFIX = "hk_";
const DISPLAY_PREFIX_LENGTH = 11; // "hk_" + 8 characters: enough to recognise a key, useless to guess it
/** lastUsedAt is refreshed at most this often, so a busy key does not write D1 on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

export async function createApiKey(db: Database, userId: string, name: string, id: string, now: Date) {
  const key = `${API_KEY_PREFIX}${randomToken(40)}`;
  const row = {
    id,
    userId,
    name,
    prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
    keyHash: await hashApiKey(key),
    createdAt: now.toISOString(),
    lastUsedAt: null,
  };
  await db.insert(apiKeys).values(row);
  return { id, name, prefix: row.prefix, key, createdAt: row.createdAt };
}

export async function listApiKeys(db: Database, userId: string) {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.userId, userId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt }));
}

/** Revocation deletes the row: the hash can never match again, effective on the next request. */
export async function revokeApiKey(db: Database, userId: string, id: string): Promise<boolean> {
  const deleted = await db
    .delete(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId)))
    .returning({ id: apiKeys.id });
  return deleted.length > 0;
}

export async function findUserByApiKey(db: Database, key: string, now: Date): Promise<UserRow | null> {
  const keyHash = await hashApiKey(key);
  const found = await db
    .select({ user: users, keyId: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    // A key of an account being deleted never authenticates (its rows go with the deletion batch).
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(users.deletedAt)))
    .get();
  if (!found) return null;
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  if (!found.lastUsedAt || found.lastUsedAt < staleBefore) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now.toISOString() })
      .where(and(eq(apiKeys.id, found.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
  }
  return found.user;
}
