import type Stripe from "stripe";
import type { Database } from "../db/client";
import type { Config } from "../env";
import type { Logger } from "../log";
import { isPlan, type Plan } from "../plans";
import { PAID_STATUSES } from "./service";
import { PRICE_KEYS, planForStripePrice, type PriceKey } from "./stripe";
import { existingUser, recordByCustomer, type RecordFields } from "./webhook-sql";

/** What one event does: whose record, which fields; or why it is acknowledged without effect. */
export type Effect = { userId: string; fields: RecordFields } | { ignored: string };

const idOf = (value: string | { id: string } | null | undefined) =>
  typeof value === "string" ? value : (value?.id ?? null);

const isoFromUnix = (seconds: number | null | undefined) =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null;

/** From our checkout metadata (plan, or the public price key), else from expanded line items. */
function planOfSession(config: Config, session: Stripe.Checkout.Session): Plan | null {
  const metadata = session.metadata ?? {};
  if (isPlan(metadata.plan) && metadata.plan !== "free") return metadata.plan;
  const key = metadata.priceKey ?? metadata.priceId;
  if (key && key in PRICE_KEYS) return PRICE_KEYS[key as PriceKey].plan;
  return planForStripePrice(config, session.line_items?.data?.[0]?.price?.id);
}

async function checkoutCompleted(db: Database, config: Config, session: Stripe.Checkout.Session): Promise<Effect> {
  const userId = await existingUser(db, session.client_reference_id ?? session.metadata?.userId);
  if (!userId) return { ignored: "no such user" };
  const plan = planOfSession(config, session);
  const fields: RecordFields = {
    customerId: idOf(session.customer),
    subscriptionId: idOf(session.subscription),
  };
  // The plan rides on the session's metadata (set at checkout); the subscription events that
  // follow carry the authoritative price, status and period.
  if (plan && (session.status ?? "complete") === "complete") Object.assign(fields, { plan, status: "active" });
  return { userId, fields };
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
  const priceId = subscription.items?.data?.[0]?.price?.id ?? null;
  const paidPlan: Plan | null =
    planForStripePrice(config, priceId) ?? (isPlan(subscription.metadata?.plan) ? subscription.metadata!.plan as Plan : null);
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
      return checkoutCompleted(db, config, event.data.object);
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

