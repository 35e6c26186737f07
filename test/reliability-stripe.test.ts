import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { api } from "./helpers/http";
import { billingApp, signedWebhook, stripeEvent, subscriptionObject } from "./helpers/stripe";

const call = billingApp(null);
const deliver = async (event: unknown, opts: Parameters<typeof signedWebhook>[1] = {}) =>
  call("POST", "/v1/billing/webhook", await signedWebhook(event, opts));
const planOf = async (id: string) =>
  (await env.DB.prepare("SELECT plan FROM users WHERE id = ?").bind(id).first<{ plan: string }>())!.plan;
const recordOf = (id: string) => env.DB.prepare("SELECT * FROM billing_records WHERE user_id = ?").bind(id).first<Record<string, unknown>>();

/** A signed-up user with a Stripe customer on record (as after a first checkout). */
async function customer() {
  const user = await newUser("payer");
  expect((await api("GET", "/v1/users/me", { token: user.token })).status).toBe(200);
  const customerId = `cus_${crypto.randomUUID().slice(0, 8)}`;
  await env.DB.prepare("INSERT INTO billing_records (user_id, customer_id, plan, updated_at) VALUES (?, ?, 'free', ?)")
    .bind(user.sub, customerId, new Date().toISOString())
    .run();
  return { ...user, customerId };
}

function subscription(opts: { id: string; customer: string; prices: string[]; status?: string; metadata?: Record<string, string> }) {
  const base = subscriptionObject({ id: opts.id, customer: opts.customer, price: opts.prices[0]!, ...(opts.status ? { status: opts.status } : {}) });
  return {
    ...base,
    metadata: opts.metadata ?? {},
    items: { object: "list", data: opts.prices.map((price, i) => ({ ...base.items.data[0]!, id: `si_${opts.id}_${i}`, price: { id: price, object: "price" } })) },
  };
}

describe("Stripe cannot grant what was not paid for", () => {
  it("ignores metadata.plan: an unconfigured price with plan=enterprise grants nothing, and deletion leaves the user free", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const forged = subscription({ id: "sub_forged", customer: user.customerId, prices: ["price_cheap_thing"], metadata: { userId: user.sub, plan: "enterprise" } });
    const res = await deliver(stripeEvent("customer.subscription.updated", forged, t0));
    expect(res.status).toBe(200);
    expect(await planOf(user.sub)).toBe("free");

    const paid = subscription({ id: "sub_forged", customer: user.customerId, prices: ["price_pro_monthly_test"], metadata: { userId: user.sub, plan: "enterprise" } });
    await deliver(stripeEvent("customer.subscription.updated", paid, t0 + 10));
    expect(await planOf(user.sub)).toBe("pro");
    expect(await recordOf(user.sub)).toMatchObject({ plan: "pro", price_id: "price_pro_monthly_test" });

    await deliver(stripeEvent("customer.subscription.deleted", { ...paid, status: "canceled" }, t0 + 20));
    expect(await planOf(user.sub)).toBe("free");
    expect(await recordOf(user.sub)).toMatchObject({ plan: "free", status: "canceled" });
  });

  it("takes the best configured plan among all of the subscription's items", async () => {
    const user = await customer();
    const sub = subscription({ id: "sub_multi", customer: user.customerId, prices: ["price_addon_seats", "price_team_monthly_test", "price_pro_annual_test"] });
    await deliver(stripeEvent("customer.subscription.created", sub));
    expect(await planOf(user.sub)).toBe("team");
    expect(await recordOf(user.sub)).toMatchObject({ plan: "team", price_id: "price_team_monthly_test" });
  });

  it("a completed checkout links ids but sets no plan, whatever its metadata says", async () => {
    const user = await customer();
    const session = {
      id: "cs_meta",
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      client_reference_id: user.sub,
      customer: user.customerId,
      subscription: "sub_after_checkout",
      metadata: { userId: user.sub, plan: "enterprise", priceKey: "team_annual" },
    };
    expect((await deliver(stripeEvent("checkout.session.completed", session))).status).toBe(200);
    expect(await planOf(user.sub)).toBe("free");
    expect(await recordOf(user.sub)).toMatchObject({ plan: "free", subscription_id: "sub_after_checkout", customer_id: user.customerId });
  });

  it("refuses a signature timestamped beyond the tolerance in the future, accepts small clock skew", async () => {
    const user = await customer();
    const now = Math.floor(Date.now() / 1000);
    const event = stripeEvent("customer.subscription.updated", subscription({ id: "sub_future", customer: user.customerId, prices: ["price_pro_monthly_test"] }));
    const future = await deliver(event, { timestamp: now + 3600 });
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { reason: "future_timestamp" } });
    expect(await planOf(user.sub)).toBe("free");
    const processed = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?").bind(event.id).first<{ n: number }>();
    expect(processed!.n).toBe(0);

    const skewed = await deliver(event, { timestamp: now + 30 });
    expect(skewed.status, JSON.stringify(skewed.body)).toBe(200);
    expect(await planOf(user.sub)).toBe("pro");
  });
});

describe("a Stripe event replayed 10 times applies once", () => {
  it("ten concurrent deliveries: one applies, nine are duplicates; later replays cannot undo a newer event", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const upgrade = stripeEvent("customer.subscription.updated", subscription({ id: "sub_r", customer: user.customerId, prices: ["price_team_annual_test"] }), t0);
    const signed = await signedWebhook(upgrade);
    const first = await Promise.all(Array.from({ length: 10 }, () => call("POST", "/v1/billing/webhook", signed)));
    expect(first.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(first.filter((r) => r.body.data.duplicate === false)).toHaveLength(1);
    expect(await planOf(user.sub)).toBe("team");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?").bind(upgrade.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);

    // The user cancels; the old upgrade replayed ten more times must not bring the plan back.
    await deliver(stripeEvent("customer.subscription.deleted", subscription({ id: "sub_r", customer: user.customerId, prices: ["price_team_annual_test"], status: "canceled" }), t0 + 10));
    expect(await planOf(user.sub)).toBe("free");
    const before = await recordOf(user.sub);
    for (let i = 0; i < 10; i++) {
      const replay = await call("POST", "/v1/billing/webhook", await signedWebhook(upgrade));
      expect(replay.body.data).toMatchObject({ eventId: upgrade.id, duplicate: true });
    }
    expect(await planOf(user.sub)).toBe("free");
    expect(await recordOf(user.sub)).toEqual(before);
  });
});
