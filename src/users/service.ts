import { and, count, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { deletedUsers, deployments, libraryEntries, users, workflows, type UserRow } from "../db/schema";
import { accountDeleted, issuedBeforeDeletion } from "./tombstone";
import type { VerifiedIdentity } from "../auth/types";

/** What D1 says about one identity: its user row (if any) and its deletion tombstone (if any). */
export interface AccountState {
  user: UserRow | null;
  /** `deleted_users.deleted_at` of an earlier account with this id. */
  tombstoneAt: string | null;
}

/** One D1 round trip (a batch of two primary-key reads). */
export async function loadAccountState(db: Database, userId: string): Promise<AccountState> {
  const [found, tombstones] = await db.batch([
    db.select().from(users).where(eq(users.id, userId)),
    db.select().from(deletedUsers).where(eq(deletedUsers.userId, userId)),
  ]);
  return { user: found[0] ?? null, tombstoneAt: tombstones[0]?.deletedAt ?? null };
}

/**
 * What a verified identity gets from an account state, without writing: refused (deleted),
 * the user as stored, or "write" (first sight, or the token carries a new email).
 */
export function accountVerdict(state: AccountState, identity: VerifiedIdentity): "deleted" | "write" | UserRow {
  if (state.tombstoneAt && issuedBeforeDeletion(identity.issuedAt, state.tombstoneAt)) return "deleted";
  const existing = state.user;
  if (!existing) return "write";
  if (existing.deletedAt) return "deleted";
  return identity.email && identity.email !== existing.email ? "write" : existing;
}

/**
 * Returns the user row for a verified identity, creating it on first sight. One read batch on
 * the hot path; the insert happens once per user (ON CONFLICT keeps concurrent first requests
 * safe). A deleted account refuses every token issued before its deletion (401), also when the
 * insert races the deletion: the insert itself is conditional on the tombstone in SQL. A token
 * issued after the deletion signs up a new, empty account.
 */
export async function ensureUser(db: Database, identity: VerifiedIdentity, now: Date, known?: AccountState): Promise<UserRow> {
  const state = known ?? (await loadAccountState(db, identity.sub));
  const verdict = accountVerdict(state, identity);
  if (verdict === "deleted") throw accountDeleted();
  if (verdict !== "write") return verdict;
  const existing = state.user;
  if (existing) {
    // The token carries a new email (accountVerdict checked it).
    const updatedAt = now.toISOString();
    await db.update(users).set({ email: identity.email, updatedAt }).where(eq(users.id, existing.id));
    return { ...existing, email: identity.email, updatedAt };
  }
  const iso = now.toISOString();
  const issuedAtIso = new Date(identity.issuedAt * 1000).toISOString();
  await db.run(sql`insert into ${users} (id, email, plan, created_at, updated_at)
    select ${identity.sub}, ${identity.email}, 'free', ${iso}, ${iso}
    where not exists (select 1 from ${deletedUsers} where ${deletedUsers.userId} = ${identity.sub} and ${deletedUsers.deletedAt} >= ${issuedAtIso})
    on conflict do nothing`);
  const row = await db.select().from(users).where(eq(users.id, identity.sub)).get();
  if (!row || row.deletedAt) throw accountDeleted();
  return row;
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
