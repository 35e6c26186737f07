import { and, eq, gt } from "drizzle-orm";
import { hashApiKey } from "../api-keys/service";
import type { Database } from "../db/client";
import { dashboardSessions, users, type UserRow } from "../db/schema";
import { randomToken } from "../services";

/** The same SHA-256 hex digest API keys use: the cookie's id never sits in D1 in the clear. */
const hashSessionId = hashApiKey;

export interface StoredSession {
  user: UserRow;
  csrfToken: string;
  expiresAt: string;
}

export async function createSession(db: Database, userId: string, now: Date, ttlSeconds: number) {
  const id = randomToken(43);
  const csrfToken = randomToken(32);
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await db.insert(dashboardSessions).values({ idHash: await hashSessionId(id), userId, csrfToken, createdAt: now.toISOString(), expiresAt });
  return { id, csrfToken, expiresAt };
}

/** A live session and its user; expired, revoked or orphaned (account deleted) sessions are null. */
export async function findSession(db: Database, id: string, now: Date): Promise<StoredSession | null> {
  const row = await db
    .select({ user: users, csrfToken: dashboardSessions.csrfToken, expiresAt: dashboardSessions.expiresAt })
    .from(dashboardSessions)
    .innerJoin(users, eq(users.id, dashboardSessions.userId))
    .where(and(eq(dashboardSessions.idHash, await hashSessionId(id)), gt(dashboardSessions.expiresAt, now.toISOString())))
    .get();
  return row ?? null;
}

export async function revokeSession(db: Database, id: string) {
  await db.delete(dashboardSessions).where(eq(dashboardSessions.idHash, await hashSessionId(id)));
}

/** Account deletion ends every browser session of the user. */
export async function revokeUserSessions(db: Database, userId: string) {
  await db.delete(dashboardSessions).where(eq(dashboardSessions.userId, userId));
}
