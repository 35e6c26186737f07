import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "./helpers/auth";
import { workflowBody } from "./helpers/fixtures";
import { MCP_HEADERS, createDeployment, initializeBody } from "./helpers/deployments";
import { api } from "./helpers/http";
import {
  STRIPE_TEST_CONFIG,
  billingApp,
  signedWebhook,
  stripeEvent,
  stripeStandIn,
  subscriptionObject,
} from "./helpers/stripe";

const userRow = (id: string) =>
  env.DB.prepare("SELECT plan FROM users WHERE id = ?").bind(id).first<{ plan: string }>();
const billingRow = (id: string) =>
  env.DB.prepare("SELECT * FROM billing_records WHERE user_id = ?").bind(id).first<Record<string, unknown>>();
const setPlan = (id: string, plan: string) => env.DB.prepare("UPDATE users SET plan = ? WHERE id = ?").bind(plan, id).run();
const workflowCount = async (ownerId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM workflows WHERE owner_id = ?").bind(ownerId).first<{ n: number }>())!.n;

/** Makes sure the user row exists (first authenticated request creates it). */
async function signedUp() {
  const user = await newUser();
  expect((await api("GET", "/v1/users/me", { token: user.token })).status).toBe(200);
  return user;
}

/** Bulk rows straight into D1, so limit tests do not need hundreds of HTTP creates. */
async function seedWorkflows(ownerId: string, n: number) {
  const iso = new Date().toISOString();
  const statements = Array.from({ length: n }, (_, i) =>
    env.DB.prepare(
      "INSERT INTO workflows (id, owner_id, name, slug, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, '1.0.0', ?, ?)",
    ).bind(`wf_seed_${ownerId}_${i}`, ownerId, `Seed ${i}`, `seed-${i}`, iso, iso),
  );
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

describe("plan limits", () => {
  it("Free allows 50 workflows; the 51st is 402 PLAN_LIMIT_EXCEEDED and nothing is created", async () => {
    const user = await signedUp();
    for (let batch = 0; batch < 5; batch++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ name: `Workflow ${batch * 10 + i}` }) }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    }
    const refused = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody({ name: "One too many" }) });
    expect(refused.status).toBe(402);
    expect(refused.body).toEqual({
      success: false,
      error: {
        code: "PLAN_LIMIT_EXCEEDED",
        message: expect.stringContaining("free plan allows 50 workflows"),
        details: { resource: "workflows", limit: 50, current: 50, plan: "free" },
      },
    });
    expect(await workflowCount(user.sub)).toBe(50);
    const versions = await env.DB.prepare(
      "SELECT count(*) AS n FROM workflow_versions v JOIN workflows w ON w.id = v.workflow_id WHERE w.owner_id = ?",
    )
      .bind(user.sub)
      .first<{ n: number }>();
    expect(versions!.n).toBe(50);
    const entries = await env.DB.prepare("SELECT count(*) AS n FROM library_entries WHERE user_id = ?").bind(user.sub).first<{ n: number }>();
    expect(entries!.n).toBe(50);
  });

  it("includes upgradeUrl when one is configured", async () => {
    const user = await signedUp();
    await seedWorkflows(user.sub, 50);
    const call = billingApp(null, { UPGRADE_URL: "https://hydra.example.com/pricing" });
    const refused = await call("POST", "/v1/workflows", { token: user.token, body: workflowBody() });
    expect(refused.status).toBe(402);
    expect(refused.body.error.details).toEqual({
      resource: "workflows",
      limit: 50,
      current: 50,
      plan: "free",
      upgradeUrl: "https://hydra.example.com/pricing",
    });
  });

  it("uses the user's plan: Pro allows 500, Team 5,000, Enterprise is unlimited", async () => {
    const pro = await signedUp();
    await setPlan(pro.sub, "pro");
    await seedWorkflows(pro.sub, 499);
    expect((await api("POST", "/v1/workflows", { token: pro.token, body: workflowBody() })).status).toBe(201);
    const proRefused = await api("POST", "/v1/workflows", { token: pro.token, body: workflowBody() });
    expect(proRefused.status).toBe(402);
    expect(proRefused.body.error.details).toMatchObject({ limit: 500, current: 500, plan: "pro" });

    const team = await signedUp();
    await setPlan(team.sub, "team");
    await seedWorkflows(team.sub, 500);
    expect((await api("POST", "/v1/workflows", { token: team.token, body: workflowBody() })).status).toBe(201);

    const enterprise = await signedUp();
    await setPlan(enterprise.sub, "enterprise");
    await seedWorkflows(enterprise.sub, 600);
    expect((await api("POST", "/v1/workflows", { token: enterprise.token, body: workflowBody() })).status).toBe(201);
    expect(await workflowCount(enterprise.sub)).toBe(601);
  });
});

describe("402 details on every limit", () => {
  const UPGRADE_URL = "https://hydra.example.com/pricing";

  it("deployments answer {resource, limit, current, plan, upgradeUrl} and nothing is created", async () => {
    const user = await signedUp();
    const call = billingApp(null, { UPGRADE_URL });
    const wf = await call("POST", "/v1/workflows", { token: user.token, body: workflowBody() });
    expect(wf.status).toBe(201);
    for (let i = 0; i < 3; i++) await createDeployment(user.token, { workflowIds: [wf.body.data.workflowId] });
    const refused = await call("POST", "/v1/deployments", {
      token: user.token,
      body: { name: "fourth", workflowIds: [wf.body.data.workflowId] },
    });
    expect(refused.status).toBe(402);
    expect(refused.body).toEqual({
      success: false,
      error: {
        code: "PLAN_LIMIT_EXCEEDED",
        message: expect.stringContaining("free plan allows 3 deployments"),
        details: { resource: "deployments", limit: 3, current: 3, plan: "free", upgradeUrl: UPGRADE_URL },
      },
    });
    const deployments = await env.DB.prepare("SELECT count(*) AS n FROM deployments WHERE owner_id = ?").bind(user.sub).first<{ n: number }>();
    expect(deployments!.n).toBe(3);
  });

  it("forks answer the workflows limit with upgradeUrl, and nothing is created", async () => {
    const owner = await signedUp();
    const source = await api("POST", "/v1/workflows", { token: owner.token, body: workflowBody({ visibility: "public" }) });
    const forker = await signedUp();
    await seedWorkflows(forker.sub, 50);
    const call = billingApp(null, { UPGRADE_URL });
    const refused = await call("POST", `/v1/workflows/${source.body.data.workflowId}/fork`, { token: forker.token });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toEqual({
      code: "PLAN_LIMIT_EXCEEDED",
      message: expect.any(String),
      details: { resource: "workflows", limit: 50, current: 50, plan: "free", upgradeUrl: UPGRADE_URL },
    });
    expect(await workflowCount(forker.sub)).toBe(50);
  });

  it("MCP connections over the monthly limit answer 402 with the same details", async () => {
    const user = await signedUp();
    const wf = await api("POST", "/v1/workflows", { token: user.token, body: workflowBody() });
    const dep = await createDeployment(user.token, { workflowIds: [wf.body.data.workflowId] });
    await env.DB.prepare("INSERT INTO deployment_usage_daily (deployment_id, day, adapter, count) VALUES (?, ?, 'claude', 500)")
      .bind(dep.deploymentId, new Date().toISOString().slice(0, 10))
      .run();
    const call = billingApp(null, { UPGRADE_URL });
    const refused = await call("POST", new URL(dep.mcpEndpoint).pathname, {
      token: user.token,
      headers: MCP_HEADERS,
      body: initializeBody("claude-code", "2025-06-18"),
    });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toEqual({
      code: "PLAN_LIMIT_EXCEEDED",
      message: expect.any(String),
      details: { resource: "connectionsPerMonth", limit: 500, current: 500, plan: "free", upgradeUrl: UPGRADE_URL },
    });
  });
});

describe("billing without Stripe configured (the local default)", () => {
  it("GET /v1/billing/subscription answers plan free with no ids", async () => {
    const user = await newUser();
    const res = await api("GET", "/v1/billing/subscription", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        plan: "free",
        status: null,
        customerId: null,
        subscriptionId: null,
        currentPeriodStart: null,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
      },
    });
    expect(res.headers.get("X-RateLimit-Limit")).not.toBeNull();
  });

  it("checkout and portal answer 503 BILLING_NOT_CONFIGURED", async () => {
    const user = await newUser();
    const checkout = await api("POST", "/v1/billing/checkout", {
      token: user.token,
      body: { priceId: "pro_monthly", successUrl: "https://hydra.example.com/ok", cancelUrl: "https://hydra.example.com/no" },
    });
    expect(checkout.status).toBe(503);
    expect(checkout.body).toEqual({
      success: false,
      error: { code: "BILLING_NOT_CONFIGURED", message: "Billing is not configured on this server", details: {} },
    });
    const portal = await api("POST", "/v1/billing/portal", { token: user.token, body: { returnUrl: "https://hydra.example.com/" } });
    expect(portal.status).toBe(503);
    expect(portal.body.error.code).toBe("BILLING_NOT_CONFIGURED");
  });

  it("the webhook answers 400 for anything it cannot verify, even a correctly signed event", async () => {
    const event = stripeEvent("customer.subscription.updated", { id: "sub_x", object: "subscription" });
    const res = await api("POST", "/v1/billing/webhook", await signedWebhook(event));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.message).toMatch(/no webhook secret is configured/);
    expect(res.body.error.details).toEqual({ reason: "not_configured" });
  });

  it("billing routes other than the webhook still require auth", async () => {
    const res = await api("GET", "/v1/billing/subscription");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toBe("Bearer");
  });
});

describe("POST /v1/billing/checkout", () => {
  const validBody = {
    priceId: "pro_monthly",
    successUrl: "https://hydra.example.com/dashboard?upgraded=true",
    cancelUrl: "https://hydra.example.com/pricing",
  };

  function checkoutStandIn() {
    return stripeStandIn({
      "POST /v1/customers": () => ({ body: { id: "cus_standin_1", object: "customer" } }),
      "POST /v1/checkout/sessions": () => ({
        body: { id: "cs_test_1", object: "checkout.session", url: "https://checkout.stripe.com/c/pay/cs_test_1" },
      }),
      "POST /v1/billing_portal/sessions": () => ({
        body: { id: "bps_1", object: "billing_portal.session", url: "https://billing.stripe.com/p/session/test_1" },
      }),
    });
  }

  it("creates the customer and a subscription Checkout Session, then reuses the customer", async () => {
    const standIn = checkoutStandIn();
    const call = billingApp(standIn);
    const user = await newUser();
    const res = await call("POST", "/v1/billing/checkout", { token: user.token, body: validBody });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { checkoutUrl: "https://checkout.stripe.com/c/pay/cs_test_1" } });

    expect(standIn.calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(["POST /v1/customers", "POST /v1/checkout/sessions"]);
    const [customer, session] = standIn.calls;
    expect(customer!.url.host).toBe("stripe.standin:12111");
    expect(customer!.url.protocol).toBe("http:");
    expect(customer!.headers.get("Authorization")).toBe(`Bearer ${STRIPE_TEST_CONFIG.STRIPE_SECRET_KEY}`);
    expect(customer!.form.get("email")).toBe(user.email);
    expect(customer!.form.get("metadata[userId]")).toBe(user.sub);
    expect(Object.fromEntries(session!.form)).toMatchObject({
      mode: "subscription",
      customer: "cus_standin_1",
      client_reference_id: user.sub,
      "line_items[0][price]": "price_pro_monthly_test",
      "line_items[0][quantity]": "1",
      success_url: validBody.successUrl,
      cancel_url: validBody.cancelUrl,
      "metadata[userId]": user.sub,
      "metadata[plan]": "pro",
      "subscription_data[metadata][userId]": user.sub,
    });
    expect(await billingRow(user.sub)).toMatchObject({ customer_id: "cus_standin_1", plan: "free" });

    const again = await call("POST", "/v1/billing/checkout", { token: user.token, body: { ...validBody, priceId: "team_annual" } });
    expect(again.status).toBe(200);
    expect(standIn.calls.map((c) => `${c.method} ${c.url.pathname}`).slice(2)).toEqual(["POST /v1/checkout/sessions"]);
    expect(standIn.calls[2]!.form.get("customer")).toBe("cus_standin_1");
    expect(standIn.calls[2]!.form.get("line_items[0][price]")).toBe("price_team_annual_test");

    const subscription = await call("GET", "/v1/billing/subscription", { token: user.token });
    expect(subscription.body.data).toMatchObject({ plan: "free", customerId: "cus_standin_1", subscriptionId: null });
  });

  it("validates priceId and redirect URLs with field paths, before calling Stripe", async () => {
    const standIn = checkoutStandIn();
    const call = billingApp(standIn);
    const user = await newUser();
    const res = await call("POST", "/v1/billing/checkout", {
      token: user.token,
      body: { priceId: "gold_monthly", successUrl: "http://evil.example.com/ok", cancelUrl: "not a url" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(["priceId", "successUrl", "cancelUrl"]);
    expect(res.body.error.details.issues[1].message).toMatch(/https/);

    const missing = await call("POST", "/v1/billing/checkout", { token: user.token, body: {} });
    expect(missing.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(["priceId", "successUrl", "cancelUrl"]);
    expect(standIn.calls).toEqual([]);
  });

  it("allows http only on localhost outside production, and restricts to allowed origins when set", async () => {
    const standIn = checkoutStandIn();
    const user = await newUser();
    const local = { ...validBody, successUrl: "http://localhost:5173/ok", cancelUrl: "http://127.0.0.1:5173/no" };
    expect((await billingApp(standIn)("POST", "/v1/billing/checkout", { token: user.token, body: local })).status).toBe(200);

    const restricted = billingApp(standIn, { BILLING_ALLOWED_ORIGINS: "https://hydra.opiusai.com/, http://localhost:5173" });
    const refused = await restricted("POST", "/v1/billing/checkout", { token: user.token, body: validBody });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.issues).toEqual([
      { path: "successUrl", message: expect.stringContaining("origin https://hydra.example.com is not allowed") },
      { path: "cancelUrl", message: expect.stringContaining("is not allowed") },
    ]);
    const allowed = await restricted("POST", "/v1/billing/checkout", {
      token: user.token,
      body: { ...validBody, successUrl: "https://hydra.opiusai.com/dashboard", cancelUrl: "http://localhost:5173/pricing" },
    });
    expect(allowed.status).toBe(200);
  });

  it("answers 503 when the requested price is not configured, without calling Stripe", async () => {
    const standIn = checkoutStandIn();
    const call = billingApp(standIn, { STRIPE_PRICE_TEAM_ANNUAL: "" });
    const user = await newUser();
    const res = await call("POST", "/v1/billing/checkout", { token: user.token, body: { ...validBody, priceId: "team_annual" } });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: "BILLING_NOT_CONFIGURED", message: "The 'team_annual' price is not configured on this server" });
    expect(standIn.calls).toEqual([]);
  });

  it("sends users with a live subscription to the portal (409) instead of a second subscription", async () => {
    const standIn = checkoutStandIn();
    const user = await signedUp();
    await env.DB.prepare(
      "INSERT INTO billing_records (user_id, customer_id, subscription_id, plan, status, updated_at) VALUES (?, 'cus_live', 'sub_live', 'pro', 'active', ?)",
    )
      .bind(user.sub, new Date().toISOString())
      .run();
    const res = await billingApp(standIn)("POST", "/v1/billing/checkout", { token: user.token, body: validBody });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "CONFLICT", details: { subscriptionId: "sub_live", status: "active" } });
    expect(standIn.calls).toEqual([]);
  });

  it("hides Stripe's own error behind a 503", async () => {
    const standIn = stripeStandIn({
      "POST /v1/customers": () => ({
        status: 400,
        body: { error: { type: "invalid_request_error", message: "Secret internal detail sk_live_leak" } },
      }),
    });
    const user = await newUser();
    const res = await billingApp(standIn)("POST", "/v1/billing/checkout", { token: user.token, body: validBody });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(JSON.stringify(res.body)).not.toContain("sk_live_leak");
    expect(await billingRow(user.sub)).toBeNull();
  });

  it("portal: 409 without a Stripe customer, then a portal session for the customer", async () => {
    const standIn = checkoutStandIn();
    const call = billingApp(standIn);
    const user = await newUser();
    const none = await call("POST", "/v1/billing/portal", { token: user.token, body: { returnUrl: "https://hydra.example.com/dashboard" } });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe("CONFLICT");
    expect(standIn.calls).toEqual([]);

    const bad = await call("POST", "/v1/billing/portal", { token: user.token, body: { returnUrl: "ftp://x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues[0].path).toBe("returnUrl");

    await call("POST", "/v1/billing/checkout", { token: user.token, body: validBody });
    const portal = await call("POST", "/v1/billing/portal", { token: user.token, body: { returnUrl: "https://hydra.example.com/dashboard" } });
    expect(portal.status).toBe(200);
    expect(portal.body).toEqual({ success: true, data: { portalUrl: "https://billing.stripe.com/p/session/test_1" } });
    const portalCall = standIn.calls.at(-1)!;
    expect(`${portalCall.method} ${portalCall.url.pathname}`).toBe("POST /v1/billing_portal/sessions");
    expect(Object.fromEntries(portalCall.form)).toEqual({ customer: "cus_standin_1", return_url: "https://hydra.example.com/dashboard" });
  });
});

describe("POST /v1/billing/webhook", () => {
  const call = billingApp(null);

  async function deliver(event: unknown, opts: Parameters<typeof signedWebhook>[1] = {}) {
    return call("POST", "/v1/billing/webhook", await signedWebhook(event, opts));
  }

  /** A signed-up user who went through checkout (customer on record). */
  async function customer() {
    const user = await signedUp();
    const customerId = `cus_${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.prepare("INSERT INTO billing_records (user_id, customer_id, plan, updated_at) VALUES (?, ?, 'free', ?)")
      .bind(user.sub, customerId, new Date().toISOString())
      .run();
    return { ...user, customerId };
  }

  it("needs no user auth and is not rate limited", async () => {
    const event = stripeEvent("ping", { id: "x", object: "thing" });
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { received: true, eventId: event.id, type: "ping", duplicate: false, ignored: "event type ping is not handled" },
    });
    expect(res.headers.get("X-RateLimit-Limit")).toBeNull();
    expect(res.headers.get("WWW-Authenticate")).toBeNull();
  });

  it("rejects missing, bad, tampered and stale signatures with 400", async () => {
    const event = stripeEvent("customer.subscription.updated", { id: "sub_1", object: "subscription" });
    const missing = await call("POST", "/v1/billing/webhook", { rawBody: JSON.stringify(event) });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      code: "VALIDATION_ERROR",
      message: "Missing Stripe-Signature header",
      details: { reason: "missing_signature" },
    });

    const wrongSecret = await deliver(event, { secret: "whsec_someone_else" });
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body.error).toEqual({
      code: "VALIDATION_ERROR",
      message: "Stripe signature is invalid",
      details: { reason: "bad_signature" },
    });

    const signed = await signedWebhook(event);
    const tampered = await call("POST", "/v1/billing/webhook", { ...signed, rawBody: signed.rawBody.replace("sub_1", "sub_2") });
    expect(tampered.status).toBe(400);
    expect(tampered.body.error.details.reason).toBe("bad_signature");

    const stale = await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(400);
    expect(stale.body.error).toMatchObject({ message: "Stripe signature timestamp is too old", details: { reason: "stale_timestamp" } });

    const garbage = await call("POST", "/v1/billing/webhook", { rawBody: "{}", headers: { "Stripe-Signature": "t=1,v1=abc" } });
    expect(garbage.status).toBe(400);
    const processed = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?").bind(event.id).first<{ n: number }>();
    expect(processed!.n).toBe(0);
  });

  it("processes a signed event without `created`, and answers 400 (not 500) to signed JSON that is not an event", async () => {
    const user = await signedUp();
    const { created: _created, ...minimal } = stripeEvent("checkout.session.completed", {
      id: "cs_minimal",
      object: "checkout.session",
      client_reference_id: user.sub,
      customer: `cus_min_${user.sub}`,
      subscription: `sub_min_${user.sub}`,
      metadata: { userId: user.sub, plan: "team" },
    });
    const res = await deliver(minimal);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ received: true, eventId: minimal.id, type: "checkout.session.completed", duplicate: false });
    // A checkout links ids only; the plan comes from the subscription's configured prices.
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
    expect(await billingRow(user.sub)).toMatchObject({ customer_id: `cus_min_${user.sub}`, subscription_id: `sub_min_${user.sub}`, status: null });

    for (const body of [{}, { id: "evt_no_type", data: { object: {} } }, { id: "evt_no_object", type: "ping" }, [1, 2]]) {
      const bad = await deliver(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { reason: "bad_event" } });
    }
    const notJson = await call("POST", "/v1/billing/webhook", { ...(await signedWebhook({})), rawBody: "not json" });
    expect(notJson.status).toBe(400);
  });

  it("checkout.session.completed links customer and subscription; the subscription event sets the plan", async () => {
    const user = await signedUp();
    const event = stripeEvent("checkout.session.completed", {
      id: "cs_1",
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      client_reference_id: user.sub,
      customer: "cus_checkout_1",
      subscription: "sub_checkout_1",
      metadata: { userId: user.sub, plan: "pro", priceKey: "pro_monthly" },
    });
    const res = await deliver(event);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ received: true, eventId: event.id, type: event.type, duplicate: false });
    expect(await userRow(user.sub)).toEqual({ plan: "free" });

    const created = stripeEvent(
      "customer.subscription.created",
      subscriptionObject({ id: "sub_checkout_1", customer: "cus_checkout_1", userId: user.sub, price: "price_pro_monthly_test" }),
    );
    expect((await deliver(created)).status).toBe(200);
    expect(await userRow(user.sub)).toEqual({ plan: "pro" });
    const sub = await api("GET", "/v1/billing/subscription", { token: user.token });
    expect(sub.body.data).toMatchObject({ plan: "pro", status: "active", customerId: "cus_checkout_1", subscriptionId: "sub_checkout_1" });

    // The upgraded plan lifts the workflow limit at once.
    await seedWorkflows(user.sub, 50);
    expect((await api("POST", "/v1/workflows", { token: user.token, body: workflowBody() })).status).toBe(201);
  });

  it("subscription events set plan, status and period from the mapped price; deleted downgrades to free", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const created = stripeEvent(
      "customer.subscription.created",
      subscriptionObject({ id: "sub_a", customer: user.customerId, price: "price_team_annual_test", periodStart: 1767225600, periodEnd: 1798761600 }),
      t0,
    );
    expect((await deliver(created)).status).toBe(200);
    expect(await userRow(user.sub)).toEqual({ plan: "team" });
    const sub = await api("GET", "/v1/billing/subscription", { token: user.token });
    expect(sub.body.data).toEqual({
      plan: "team",
      status: "active",
      customerId: user.customerId,
      subscriptionId: "sub_a",
      currentPeriodStart: "2026-01-01T00:00:00.000Z",
      currentPeriodEnd: "2027-01-01T00:00:00.000Z",
      cancelAtPeriodEnd: false,
    });

    const cancelling = stripeEvent(
      "customer.subscription.updated",
      subscriptionObject({ id: "sub_a", customer: user.customerId, price: "price_team_annual_test", cancelAtPeriodEnd: true }),
      t0 + 10,
    );
    await deliver(cancelling);
    expect((await billingRow(user.sub))!.cancel_at_period_end).toBe(1);
    expect(await userRow(user.sub)).toEqual({ plan: "team" });

    const deleted = stripeEvent(
      "customer.subscription.deleted",
      subscriptionObject({ id: "sub_a", customer: user.customerId, price: "price_team_annual_test", status: "canceled" }),
      t0 + 20,
    );
    await deliver(deleted);
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
    expect(await billingRow(user.sub)).toMatchObject({ status: "canceled", plan: "free", subscription_id: "sub_a", last_event_at: t0 + 20 });
  });

  it("is idempotent by event id: a replayed event changes nothing", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const upgrade = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_i", customer: user.customerId, price: "price_pro_monthly_test" }), t0);
    expect((await deliver(upgrade)).body.data.duplicate).toBe(false);
    const downgrade = stripeEvent(
      "customer.subscription.deleted",
      subscriptionObject({ id: "sub_i", customer: user.customerId, price: "price_pro_monthly_test", status: "canceled" }),
      t0 + 5,
    );
    await deliver(downgrade);
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
    const before = await billingRow(user.sub);

    const replay = await deliver(upgrade);
    expect(replay.status).toBe(200);
    expect(replay.body.data).toEqual({ received: true, eventId: upgrade.id, type: upgrade.type, duplicate: true });
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
    expect(await billingRow(user.sub)).toEqual(before);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM stripe_events WHERE id = ?").bind(upgrade.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
  });

  it("tolerates out-of-order delivery: an older update never overwrites a newer one", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    const older = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_o", customer: user.customerId, price: "price_pro_monthly_test" }), t0);
    const newer = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_o", customer: user.customerId, price: "price_team_monthly_test" }), t0 + 30);
    await deliver(newer);
    expect(await userRow(user.sub)).toEqual({ plan: "team" });
    const late = await deliver(older);
    expect(late.status).toBe(200);
    expect(await userRow(user.sub)).toEqual({ plan: "team" });
    expect(await billingRow(user.sub)).toMatchObject({ price_id: "price_team_monthly_test", last_event_at: t0 + 30 });

    // A late "updated" for a subscription that has since been cancelled does not revive it.
    const cancelled = stripeEvent(
      "customer.subscription.deleted",
      subscriptionObject({ id: "sub_o", customer: user.customerId, price: "price_team_monthly_test", status: "canceled" }),
      t0 + 60,
    );
    await deliver(cancelled);
    const sameSecond = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_o", customer: user.customerId, price: "price_team_monthly_test" }), t0 + 60);
    expect((await deliver(sameSecond)).body.data.ignored).toBe("subscription is already canceled");
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
  });

  it("invoice.payment_failed marks the subscription past_due and keeps the plan while Stripe retries", async () => {
    const user = await customer();
    const t0 = Math.floor(Date.now() / 1000) - 100;
    await deliver(stripeEvent("customer.subscription.created", subscriptionObject({ id: "sub_p", customer: user.customerId, price: "price_pro_annual_test" }), t0));
    const failed = stripeEvent("invoice.payment_failed", { id: "in_1", object: "invoice", customer: user.customerId, status: "open" }, t0 + 10);
    expect((await deliver(failed)).status).toBe(200);
    const sub = await api("GET", "/v1/billing/subscription", { token: user.token });
    expect(sub.body.data).toMatchObject({ plan: "pro", status: "past_due", subscriptionId: "sub_p" });
  });

  it("acknowledges events for unknown customers or unmapped prices without changing anything", async () => {
    const unknown = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_u", customer: "cus_nobody", price: "price_pro_monthly_test" }));
    const res = await deliver(unknown);
    expect(res.status).toBe(200);
    expect(res.body.data.ignored).toBe("no user for this customer");

    const user = await customer();
    const unmapped = stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_m", customer: user.customerId, price: "price_mystery" }));
    expect((await deliver(unmapped)).body.data.ignored).toBe("price is not mapped to a plan");
    expect(await userRow(user.sub)).toEqual({ plan: "free" });
  });

  it("never changes an enterprise plan assigned by operators", async () => {
    const user = await customer();
    await setPlan(user.sub, "enterprise");
    await deliver(stripeEvent("customer.subscription.updated", subscriptionObject({ id: "sub_e", customer: user.customerId, price: "price_pro_monthly_test" })));
    expect(await userRow(user.sub)).toEqual({ plan: "enterprise" });
  });
});
