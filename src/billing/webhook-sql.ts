import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { billingRecords, stripeEvents, users } from "../db/schema";

/** Billing-record fields an event sets (the SQL side of a webhook effect). */
export type RecordFields = Partial<Omit<typeof billingRecords.$inferInsert, "userId" | "lastEventAt" | "updatedAt">>;

/** The id back if such a user exists (events may outlive a deleted account). */
export async function existingUser(db: Database, userId: string | null | undefined): Promise<string | null> {
  if (!userId) return null;
  return (await db.select({ id: users.id }).from(users).where(and(eq(users.id, userId), isNull(users.deletedAt))).get())?.id ?? null;
}

export async function recordByCustomer(db: Database, customerId: string | null) {
  if (!customerId) return null;
  return (await db.select().from(billingRecords).where(eq(billingRecords.customerId, customerId)).get()) ?? null;
}

export async function isProcessed(db: Database, eventId: string): Promise<boolean> {
  return (await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, eventId)).get()) !== undefined;
}

/** The idempotency mark: its primary key makes a second delivery of the same event fail the batch. */
export const markProcessedStatement = (db: Database, event: { id: string; type: string }, iso: string) =>
  db.insert(stripeEvents).values({ id: event.id, type: event.type, processedAt: iso });

/**
 * The record write only lands if no newer event has been applied (last_event_at), and the
 * user's plan is then copied from the record in the same batch, so concurrent deliveries in
 * any order converge on the newest state. Enterprise is assigned by operators, never by Stripe.
 */
export function effectStatements(db: Database, userId: string, fields: RecordFields, eventCreated: number, iso: string) {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as RecordFields;
  const upsert = db
    .insert(billingRecords)
    .values({ plan: "free", ...defined, userId, lastEventAt: eventCreated, updatedAt: iso })
    .onConflictDoUpdate({
      target: billingRecords.userId,
      set: {
        ...defined,
        ...(defined.customerId ? { customerId: sql`coalesce(${billingRecords.customerId}, excluded.customer_id)` } : {}),
        lastEventAt: eventCreated,
        updatedAt: iso,
      },
      setWhere: sql`${billingRecords.lastEventAt} is null or ${billingRecords.lastEventAt} <= ${eventCreated}`,
    });
  const recordPlan = sql`(select ${billingRecords.plan} from ${billingRecords} where ${billingRecords.userId} = ${userId})`;
  const syncPlan = db
    .update(users)
    .set({ plan: sql`${recordPlan}`, updatedAt: iso })
    .where(and(eq(users.id, userId), ne(users.plan, "enterprise"), sql`${users.plan} <> ${recordPlan}`));
  return [upsert, syncPlan] as const;
}

