import { eq, sql } from "drizzle-orm";
import type { AuthenticatedUser } from "../auth/types";
import type { Database } from "../db/client";
import { billingRecords } from "../db/schema";
import type { Config } from "../env";
import { ApiError } from "../errors";
import { PRICE_KEYS, billingNotConfigured, callStripe, stripePriceFor, type PriceKey } from "./stripe";
import type { StripeApi } from "./stripe-api";

/** Subscription statuses that still hold a paid plan (past_due: Stripe is retrying the payment). */
export const PAID_STATUSES = new Set(["active", "trialing", "past_due"]);

export async function getBillingRecord(db: Database, userId: string) {
  return (await db.select().from(billingRecords).where(eq(billingRecords.userId, userId)).get()) ?? null;
}

/** The documented subscription view; the plan is always the user's effective plan (what limits use). */
export async function getSubscription(db: Database, user: AuthenticatedUser) {
  const record = await getBillingRecord(db, user.id);
  return {
    plan: user.plan,
    status: record?.status ?? null,
    customerId: record?.customerId ?? null,
    subscriptionId: record?.subscriptionId ?? null,
    currentPeriodStart: record?.currentPeriodStart ?? null,
    currentPeriodEnd: record?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: record?.cancelAtPeriodEnd ?? false,
  };
}

/**
 * Reuses the user's Stripe customer, or creates one. Two racing first checkouts may each
 * create a customer; the upsert keeps whichever landed first, so the user has one on record.
 */
async function ensureCustomer(db: Database, stripe: StripeApi, user: AuthenticatedUser, now: Date): Promise<string> {
  const existing = await getBillingRecord(db, user.id);
  if (existing?.customerId) return existing.customerId;
  const customer = await callStripe(stripe, "create a customer", () =>
    stripe.customers.create({ ...(user.email ? { email: user.email } : {}), metadata: { userId: user.id } }),
  );
  const iso = now.toISOString();
  await db
    .insert(billingRecords)
    .values({ userId: user.id, customerId: customer.id, plan: "free", updatedAt: iso })
    .onConflictDoUpdate({
      target: billingRecords.userId,
      set: { customerId: sql`coalesce(${billingRecords.customerId}, excluded.customer_id)`, updatedAt: iso },
    });
  return (await getBillingRecord(db, user.id))!.customerId!;
}

export async function startCheckout(
  db: Database,
  stripe: StripeApi,
  config: Config,
  user: AuthenticatedUser,
  input: { priceId: PriceKey; successUrl: string; cancelUrl: string },
  now: Date,
) {
  const stripePrice = stripePriceFor(config, input.priceId);
  if (!stripePrice) throw billingNotConfigured(`The '${input.priceId}' price`);
  const record = await getBillingRecord(db, user.id);
  if (record?.subscriptionId && record.status && PAID_STATUSES.has(record.status)) {
    throw new ApiError("CONFLICT", "You already have a subscription; change or cancel it in the billing portal", {
      subscriptionId: record.subscriptionId,
      status: record.status,
    });
  }
  const customerId = await ensureCustomer(db, stripe, user, now);
  const plan = PRICE_KEYS[input.priceId].plan;
  const metadata = { userId: user.id, plan, priceKey: input.priceId };
  const session = await callStripe(stripe, "start a checkout", () =>
    stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customerId,
      client_reference_id: user.id,
      line_items: [{ price: stripePrice, quantity: 1 }],
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      metadata,
      subscription_data: { metadata },
    }),
  );
  if (!session.url) throw new ApiError("SERVICE_UNAVAILABLE", "The payment provider returned no checkout URL");
  return { checkoutUrl: session.url };
}

export async function openPortal(db: Database, stripe: StripeApi, userId: string, returnUrl: string) {
  const record = await getBillingRecord(db, userId);
  if (!record?.customerId) {
    throw new ApiError("CONFLICT", "You have no billing account yet; start a checkout first");
  }
  const session = await callStripe(stripe, "open the billing portal", () =>
    stripe.billingPortal.sessions.create({ customer: record.customerId!, return_url: returnUrl }),
  );
  return { portalUrl: session.url };
}

/**
 * Cancels the user's live subscription immediately (used by account deletion). A subscription
 * Stripe no longer knows is already gone; any other failure aborts so nobody is billed for a
 * deleted account.
 */
export async function cancelSubscriptionNow(stripe: StripeApi, subscriptionId: string) {
  try {
    await stripe.subscriptions.cancel(subscriptionId);
  } catch (err) {
    if ((err as { code?: string; statusCode?: number }).statusCode === 404) return;
    stripe.log.error("stripe cancel failed", { subscriptionId, error: String(err) });
    throw new ApiError("SERVICE_UNAVAILABLE", "Could not cancel your subscription with the payment provider; nothing was deleted, try again later");
  }
}
