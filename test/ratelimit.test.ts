import { createExecutionContext, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { rateLimiterStub } from "../src/ratelimit/limiter-object";
import { ACCOUNT_RECHECK_MS } from "../src/auth/account-cache";
import { newUser } from "./helpers/auth";
import { billingApp, signedWebhook, STRIPE_TEST_CONFIG, stripeEvent, subscriptionObject } from "./helpers/stripe";
import { readResponse, request } from "./helpers/http";

/** The suite's default limits are generous; these tests run the app with small ones. */
const smallLimits = JSON.stringify({
  free: { perMinute: 3, perHour: 5 },
  pro: { perMinute: 6, perHour: 50 },
  team: { perMinute: 300, perHour: 20000 },
  enterprise: { perMinute: 1000, perHour: 100000 },
});

function limitedApp(clockMs: { now: number }) {
  const app = createApp({ clock: { now: () => new Date(clockMs.now) } });
  return async (method: string, path: string, opts: Parameters<typeof request>[2] = {}) =>
    readResponse(await app.fetch(request(method, path, opts), { ...env, RATE_LIMITS: smallLimits }, createExecutionContext()));
}

describe("rate limits", () => {
  it("count per user per minute, set headers on every response and answer 429 with Retry-After", async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 12, 0, 10) };
    const call = limitedApp(clock);
    const user = await newUser();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call("GET", "/v1/users/me", { token: user.token });
      expect(res.status).toBe(200);
      expect(res.headers.get("X-RateLimit-Limit")).toBe("3");
      expect(res.headers.get("X-RateLimit-Reset")).toBe(String(Date.UTC(2026, 0, 1, 12, 1, 0) / 1000));
      remaining.push(res.headers.get("X-RateLimit-Remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const limited = await call("GET", "/v1/users/me", { token: user.token });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ success: false, error: { code: "RATE_LIMITED", details: { limit: 3, plan: "free" } } });
    expect(limited.headers.get("Retry-After")).toBe("50");
    expect(limited.headers.get("X-RateLimit-Remaining")).toBe("0");

    // Another user is not affected.
    const other = await newUser();
    expect((await call("GET", "/v1/users/me", { token: other.token })).status).toBe(200);

    // The next minute window admits requests again, until the hourly limit (5) binds.
    clock.now = Date.UTC(2026, 0, 1, 12, 1, 5);
    const next = await call("GET", "/v1/users/me", { token: user.token });
    expect(next.status).toBe(200);
    expect(next.headers.get("X-RateLimit-Remaining")).toBe("1");
    expect(next.headers.get("X-RateLimit-Limit")).toBe("5");
    expect((await call("GET", "/v1/users/me", { token: user.token })).status).toBe(200);
    const hourly = await call("GET", "/v1/users/me", { token: user.token });
    expect(hourly.status).toBe(429);
    expect(hourly.body.error.details.window).toBe("hour");
    expect(hourly.headers.get("Retry-After")).toBe(String(3600 - 65));
  });

  it("set the headers on 404s, validation errors and 500s too", async () => {
    const app = createApp({ clock: { now: () => new Date(Date.UTC(2026, 0, 1, 15, 0, 0)) } });
    app.get("/v1/boom", () => {
      throw new Error("internal detail");
    });
    const user = await newUser();
    const call = async (method: string, path: string, body?: unknown) =>
      readResponse(await app.fetch(request(method, path, { token: user.token, body }), { ...env, RATE_LIMITS: smallLimits }, createExecutionContext()));

    const notFound = await call("GET", "/v1/nothing-here");
    const invalid = await call("POST", "/v1/workflows", { name: "" });
    const crashed = await call("GET", "/v1/boom");
    expect([notFound.status, invalid.status, crashed.status]).toEqual([404, 400, 500]);
    expect(crashed.body).toEqual({ success: false, error: { code: "INTERNAL_ERROR", message: "An unexpected error occurred", details: {} } });
    expect([notFound, invalid, crashed].map((r) => r.headers.get("X-RateLimit-Remaining"))).toEqual(["2", "1", "0"]);
    for (const res of [notFound, invalid, crashed]) {
      expect(res.headers.get("X-RateLimit-Limit")).toBe("3");
      expect(res.headers.get("X-RateLimit-Reset")).toBe(String(Date.UTC(2026, 0, 1, 15, 1, 0) / 1000));
    }
  });

  it("use the plan of the user row: a Stripe plan change at once, a direct D1 change within the re-check interval", async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 13, 0, 0) };
    const call = limitedApp(clock);
    const user = await newUser();
    expect((await call("GET", "/v1/users/me", { token: user.token })).headers.get("X-RateLimit-Limit")).toBe("3");

    // An operator's UPDATE in D1: the user's rate limiter keeps its copy until it re-checks.
    await env.DB.prepare("UPDATE users SET plan = 'pro' WHERE id = ?").bind(user.sub).run();
    expect((await call("GET", "/v1/users/me", { token: user.token })).headers.get("X-RateLimit-Limit")).toBe("3");
    clock.now += ACCOUNT_RECHECK_MS;
    const rechecked = await call("GET", "/v1/users/me", { token: user.token });
    expect(rechecked.headers.get("X-RateLimit-Limit")).toBe("6");
    expect(rechecked.headers.get("X-RateLimit-Remaining")).toBe("3");

    // The billing webhook changes the plan and tells the user's rate limiter: the next request has the new limit.
    const customerId = `cus_${crypto.randomUUID().slice(0, 8)}`;
    await env.DB.prepare("INSERT INTO billing_records (user_id, customer_id, plan, updated_at) VALUES (?, ?, 'pro', ?)").bind(user.sub, customerId, new Date().toISOString()).run();
    const billing = billingApp(null, { RATE_LIMITS: smallLimits });
    const cancelled = stripeEvent("customer.subscription.deleted", subscriptionObject({ id: "sub_rl", customer: customerId, price: STRIPE_TEST_CONFIG.STRIPE_PRICE_PRO_MONTHLY }));
    expect((await billing("POST", "/v1/billing/webhook", await signedWebhook(cancelled))).status).toBe(200);
    const downgraded = await call("GET", "/v1/users/me", { token: user.token });
    expect(downgraded.headers.get("X-RateLimit-Limit")).toBe("3");
    expect(downgraded.status).toBe(429);
  });

  it("limit unauthenticated traffic per client IP, and 401s still carry the headers", async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 14, 0, 0) };
    const call = limitedApp(clock);
    const headers = { "CF-Connecting-IP": "203.0.113.7" };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call("GET", "/v1/workflows", { headers });
      statuses.push(res.status);
      expect(res.headers.get("X-RateLimit-Limit")).toBe("3");
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    const otherIp = await call("GET", "/v1/workflows", { headers: { "CF-Connecting-IP": "203.0.113.8" } });
    expect(otherIp.status).toBe(401);
  });

  it("admit exactly the limit under concurrency: 100 parallel requests of a free user → 30 succeed", async () => {
    const clock = { now: Date.UTC(2026, 0, 1, 15, 59, 0) };
    const app = createApp({ clock: { now: () => new Date(clock.now) } });
    const limits = JSON.stringify({ free: { perMinute: 30, perHour: 500 } });
    const call = async (path: string, token: string) =>
      readResponse(await app.fetch(request("GET", path, { token }), { ...env, RATE_LIMITS: limits }, createExecutionContext()));
    const user = await newUser();
    // The user row exists first (in the previous hour), so the burst races only the limiter.
    expect((await call("/v1/users/me", user.token)).status).toBe(200);
    clock.now = Date.UTC(2026, 0, 1, 16, 0, 0);

    const burst = await Promise.all(Array.from({ length: 100 }, () => call("/v1/workflows", user.token)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(70);
    const remaining = burst.filter((r) => r.status === 200).map((r) => Number(r.headers.get("X-RateLimit-Remaining")));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const r of burst.filter((r) => r.status === 429)) {
      expect(r.headers.get("Retry-After")).toBe("60");
      expect(r.headers.get("X-RateLimit-Remaining")).toBe("0");
    }

    // The next minute admits again, counted by the same object (hour: 31 of 500 used).
    clock.now = Date.UTC(2026, 0, 1, 16, 1, 0);
    const next = await call("/v1/workflows", user.token);
    expect(next.status).toBe(200);
    expect(next.headers.get("X-RateLimit-Remaining")).toBe("29");
  });

  it("keep counts in memory and checkpoint them only every 1/20 of the hourly limit", async () => {
    const stub = rateLimiterStub(env, `test:${crypto.randomUUID()}`);
    const limits = { perMinute: 1000, perHour: 100 }; // a checkpoint every 5 requests
    const nowSec = Date.UTC(2026, 0, 1, 18, 0, 0) / 1000;
    for (let i = 0; i < 7; i++) expect((await stub.consume(limits, nowSec)).allowed).toBe(true);
    const stored = await runInDurableObject(stub, (_instance, state) => state.storage.kv.get<{ hc: number }>("windows"));
    expect(stored?.hc).toBe(5);
    expect((await stub.consume(limits, nowSec)).remaining).toBe(100 - 8);
  });
});
