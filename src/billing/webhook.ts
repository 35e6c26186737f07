import { and, eq, ne, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { Hono } from "hono";
import Stripe from "stripe";
import type { Database } from "../db/client";
import { billingRecords, stripeEvents, users } from "../db/schema";
import type { AppEnv, Config } from "../env";
import { ApiError } from "../errors";
import { ok } from "../http/envelope";
import type { Plan } from "../plans";
import { PAID_STATUSES } from "./service";
import { planForStripePrice, subtleCrypto } from "./stripe";

type RecordFields = Partial<Omit<typeof billingRecords.$inferInsert, "userId" | "lastEventAt" | "updatedAt">>;

/** What one event does: whose record, which fields; or why it is acknowledged without effect. */
type Effect = { userId: string; fields: RecordFields } | { ignored: string };

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === "string" ? value : (value?.id ?? null);

const isoFromUnix = (seconds: number | null | undefined) =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null;

/** The id back if such a user exists (events may outlive a deleted account). */
async function existingUser(db: Database, userId: string | null | undefined): Promise<string | null> {
  if (!userId) return null;
  return (await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).get())?.id ?? null;
}

async function recordByCustomer(db: Database, customerId: string | null) {
  if (!customerId) return null;
  return (await db.select().from(billingRecords).where(eq(billingRecords.customerId, customerId)).get()) ?? null;
}

/**
 * A completed checkout only links the Stripe customer and subscription to the user. The plan is
 * never taken from it (its metadata is ours to write but not proof of payment): it follows from
 * the subscription events, which carry the subscription's items and their configured prices.
 */
async function checkoutCompleted(db: Database, session: Stripe.Checkout.Session): Promise<Effect> {
  const userId = await existingUser(db, session.client_reference_id ?? session.metadata?.userId);
  if (!userId) return { ignored: "no such user" };
  return { userId, fields: { customerId: idOf(session.customer), subscriptionId: idOf(session.subscription) } };
}

const PLAN_RANK: Record<Plan, number> = { free: 0, pro: 1, team: 2, enterprise: 3 };

/**
 * The plan a subscription pays for: the best plan among its items whose price is one of the
 * configured price ids. Metadata is ignored, and no configured price maps to enterprise.
 */
function paidPlanOf(config: Config, subscription: Stripe.Subscription): Plan | null {
  let best: Plan | null = null;
  for (const item of subscription.items?.data ?? []) {
    const plan = planForStripePrice(config, item?.price?.id);
    if (plan && plan !== "enterprise" && (!best || PLAN_RANK[plan] > PLAN_RANK[best])) best = plan;
  }
  return best;
}

/** Period fields live on the subscription item since Stripe API 2025-03-31; older payloads have them on the subscription. */
function periodOf(subscription: Stripe.Subscription) {
  const item = subscription.items?.data?.[0];
  const legacy = subscription as unknown as { current_period_start?: number; current_period_end?: number };
  return {
    currentPeriodStart: isoFromUnix(item?.current_period_start ?? legacy.current_period_start),
    currentPeriodEnd: isoFromUnix(item?.current_period_end ?? legacy.current_period_end),
  };
}

async function subscriptionChanged(
  db: Database,
  config: Config,
  subscription: Stripe.Subscription,
  deleted: boolean,
): Promise<Effect> {
  const customerId = idOf(subscription.customer);
  const byCustomer = await recordByCustomer(db, customerId);
  const userId = (await existingUser(db, subscription.metadata?.userId)) ?? byCustomer?.userId;
  if (!userId) return { ignored: "no user for this customer" };

  const current = byCustomer?.userId === userId ? byCustomer : null;
  // A user has one current subscription; the end of an older one must not downgrade them.
  if (deleted && current?.subscriptionId && current.subscriptionId !== subscription.id) {
    return { ignored: "not the user's current subscription" };
  }
  // Canceled is final in Stripe: a late update for the same subscription cannot revive it.
  if (!deleted && current?.subscriptionId === subscription.id && current.status === "canceled") {
    return { ignored: "subscription is already canceled" };
  }
  const paidPlan = paidPlanOf(config, subscription);
  const priceId =
    subscription.items?.data?.find((item) => planForStripePrice(config, item?.price?.id))?.price?.id ??
    subscription.items?.data?.[0]?.price?.id ??
    null;
  const paying = !deleted && PAID_STATUSES.has(subscription.status);
  if (paying && !paidPlan) {
    console.error(JSON.stringify({ level: "error", msg: "stripe price is not mapped to a plan", priceId }));
    return { ignored: "price is not mapped to a plan" };
  }
  return {
    userId,
    fields: {
      customerId,
      subscriptionId: subscription.id,
      plan: paying ? paidPlan! : "free",
      status: deleted ? "canceled" : subscription.status,
      priceId,
      ...periodOf(subscription),
      cancelAtPeriodEnd: Boolean(subscription.cancel_at_period_end),
    },
  };
}

async function paymentFailed(db: Database, invoice: Stripe.Invoice): Promise<Effect> {
  const record = await recordByCustomer(db, idOf(invoice.customer));
  if (!record) return { ignored: "no user for this customer" };
  // The plan stays while Stripe retries (past_due); a final failure arrives as a subscription update.
  return { userId: record.userId, fields: { status: "past_due" } };
}

async function effectOf(db: Database, config: Config, event: Stripe.Event): Promise<Effect> {
  switch (event.type) {
    case "checkout.session.completed":
      return checkoutCompleted(db, event.data.object);
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return subscriptionChanged(db, config, event.data.object, false);
    case "customer.subscription.deleted":
      return subscriptionChanged(db, config, event.data.object, true);
    case "invoice.payment_failed":
      return paymentFailed(db, event.data.object);
    default:
      return { ignored: `event type ${event.type} is not handled` };
  }
}

/**
 * The record write only lands if no newer event has been applied (last_event_at), and the
 * user's plan is then copied from the record in the same batch, so concurrent deliveries in
 * any order converge on the newest state. Enterprise is assigned by operators, never by Stripe.
 */
function effectStatements(db: Database, userId: string, fields: RecordFields, eventCreated: number, iso: string) {
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

function isUniqueViolation(err: unknown): boolean {
  const text = String((err as { message?: unknown })?.message ?? err) + String((err as { cause?: unknown })?.cause ?? "");
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(text);
}

/** Stripe's default: a signature older than this is a replay. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The SDK only refuses timestamps that are too old; one further ahead than the tolerance is as
 * suspect (a signature minted for later replay, or a wrong clock), so it is refused too.
 */
function signedInTheFuture(signature: string, now: Date): boolean {
  const limit = Math.floor(now.getTime() / 1000) + SIGNATURE_TOLERANCE_SECONDS;
  return signature.split(",").some((part) => {
    const [key, value] = part.trim().split("=", 2);
    return key === "t" && value !== undefined && /^\d+$/.test(value) && Number(value) > limit;
  });
}

async function verifiedEvent(config: Config, payload: string, signature: string | undefined, now: Date) {
  const secret = config.STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    throw new ApiError("VALIDATION_ERROR", "Webhook cannot be verified: no webhook secret is configured", {
      reason: "not_configured",
    });
  }
  if (!signature) {
    throw new ApiError("VALIDATION_ERROR", "Missing Stripe-Signature header", {
      reason: "missing_signature",
      issues: [{ path: "(header).Stripe-Signature", message: "required" }],
    });
  }
  if (signedInTheFuture(signature, now)) {
    throw new ApiError("VALIDATION_ERROR", "Stripe signature timestamp is in the future", { reason: "future_timestamp" });
  }
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, subtleCrypto(), now.getTime());
  } catch (err) {
    const stale = /tolerance/i.test(String((err as Error)?.message));
    throw new ApiError("VALIDATION_ERROR", stale ? "Stripe signature timestamp is too old" : "Stripe signature is invalid", {
      reason: stale ? "stale_timestamp" : "bad_signature",
    });
  }
  return wellFormed(event, now);
}

/**
 * A correctly signed body is still only JSON: without an id (idempotency key), a type and an
 * object it is a 400, not a 500. A missing `created` counts as "now" for ordering.
 */
function wellFormed(event: Stripe.Event, now: Date): Stripe.Event {
  const raw = event as unknown as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } } | null;
  const issues = [
    ...(typeof raw?.id === "string" && raw.id !== "" ? [] : [{ path: "id", message: "required" }]),
    ...(typeof raw?.type === "string" ? [] : [{ path: "type", message: "required" }]),
    ...(raw?.data?.object && typeof raw.data.object === "object" ? [] : [{ path: "data.object", message: "required" }]),
  ];
  if (issues.length > 0) throw new ApiError("VALIDATION_ERROR", "Webhook payload is not a Stripe event", { reason: "bad_event", issues });
  return typeof raw!.created === "number" ? event : { ...event, created: Math.floor(now.getTime() / 1000) };
}

/**
 * `POST /v1/billing/webhook`: no user auth and no rate limit (mounted before the /v1
 * middleware); the Stripe signature is the authentication. Always 200 once verified, so
 * Stripe does not retry events we deliberately ignore.
 */
export const webhookRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const now = c.var.clock.now();
  const event = await verifiedEvent(c.var.config, await c.req.text(), c.req.header("Stripe-Signature"), now);
  const db = c.var.db;
  const receipt = { received: true, eventId: event.id, type: event.type };

  if (await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, event.id)).get()) {
    return ok(c, { ...receipt, duplicate: true });
  }
  const effect = await effectOf(db, c.var.config, event);
  const iso = now.toISOString();
  const markProcessed = db.insert(stripeEvents).values({ id: event.id, type: event.type, processedAt: iso });
  const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] =
    "ignored" in effect ? [markProcessed] : [markProcessed, ...effectStatements(db, effect.userId, effect.fields, event.created, iso)];
  try {
    await db.batch(statements);
  } catch (err) {
    // A concurrent delivery of the same event won the insert; its effect is already applied.
    if (isUniqueViolation(err)) return ok(c, { ...receipt, duplicate: true });
    throw err;
  }
  return ok(c, { ...receipt, duplicate: false, ...("ignored" in effect ? { ignored: effect.ignored } : {}) });
});
