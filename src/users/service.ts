import { and, count, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { deployments, libraryEntries, users, workflows, type UserRow } from "../db/schema";
import type { VerifiedIdentity } from "../auth/types";

/**
 * Returns the user row for a verified identity, creating it on first sight. One read on the
 * hot path; the insert happens once per user (ON CONFLICT keeps concurrent first requests safe).
 */
export async function ensureUser(db: Database, identity: VerifiedIdentity, now: Date): Promise<UserRow> {
  const existing = await db.select().from(users).where(eq(users.id, identity.sub)).get();
  if (existing) {
    if (identity.email && identity.email !== existing.email) {
      const updatedAt = now.toISOString();
      await db.update(users).set({ email: identity.email, updatedAt }).where(eq(users.id, existing.id));
      return { ...existing, email: identity.email, updatedAt };
    }
    return existing;
  }
  const iso = now.toISOString();
  await db
    .insert(users)
    .values({ id: identity.sub, email: identity.email, plan: "free", createdAt: iso, updatedAt: iso })
    .onConflictDoNothing();
  return (await db.select().from(users).where(eq(users.id, identity.sub)).get())!;
}

export async function getUserProfile(db: Database, userId: string) {
  const [user, wf, dep, subs] = await db.batch([
    db.select().from(users).where(eq(users.id, userId)),
    db.select({ n: count() }).from(workflows).where(eq(workflows.ownerId, userId)),
    db.select({ n: count() }).from(deployments).where(eq(deployments.ownerId, userId)),
    db
      .select({ n: count() })
      .from(libraryEntries)
      .where(and(eq(libraryEntries.userId, userId), eq(libraryEntries.sourceType, "subscribed"))),
  ]);
  const row = user[0];
  if (!row) return null;
  return {
    userId: row.id,
    email: row.email,
    displayName: row.displayName,
    plan: row.plan,
    workflowCount: wf[0]?.n ?? 0,
    deploymentCount: dep[0]?.n ?? 0,
    subscriptionCount: subs[0]?.n ?? 0,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}


/** The display name is what the marketplace shows as a workflow's owner (the user id otherwise). */
export async function updateProfile(db: Database, userId: string, input: { displayName: string | null }, now: Date) {
  await db.update(users).set({ displayName: input.displayName, updatedAt: now.toISOString() }).where(eq(users.id, userId));
}
