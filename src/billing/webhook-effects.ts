import type Stripe from "stripe";
import type { Database } from "../db/client";
import type { Config } from "../env";
import type { Logger } from "../log";
import type { Plan } from "../plans";
import { PAID_STATUSES } from "./service";
import { planForStripePrice } from "./stripe";
import { existingUser, recordByCustomer, type RecordFields } from "./webhook-sql";

/** What one event does: whose record, which fields; or why it is acknowledged without effect. */
export type Effect = { userId: string; fields: RecordFields } | { ignored: string };

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === "string" ? value : (value?.id ?? null);

const isoFromUnix = (seconds: number | null | undefined) =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null;

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
  log: Logger,
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
    log.error("stripe price is not mapped to a plan", { priceId });
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

/** What an event does to whose billing record (read-only: the caller writes it). */
export async function effectOf(db: Database, config: Config, log: Logger, event: Stripe.Event): Promise<Effect> {
  switch (event.type) {
    case "checkout.session.completed":
      return checkoutCompleted(db, event.data.object);
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return subscriptionChanged(db, config, log, event.data.object, false);
    case "customer.subscription.deleted":
      return subscriptionChanged(db, config, log, event.data.object, true);
    case "invoice.payment_failed":
      return paymentFailed(db, event.data.object);
    default:
      return { ignored: `event type ${event.type} is not handled` };
  }
}

