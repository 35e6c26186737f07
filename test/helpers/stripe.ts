import { createExecutionContext, env } from "cloudflare:test";
import Stripe from "stripe";
import { createApp } from "../../src/app";
import { readResponse, request, type RequestOptions } from "./http";

export const STRIPE_TEST_CONFIG = {
  STRIPE_SECRET_KEY: "sk_test_hydra_standin",
  STRIPE_WEBHOOK_SECRET: "whsec_hydra_test_secret",
  STRIPE_PRICE_PRO_MONTHLY: "price_pro_monthly_test",
  STRIPE_PRICE_PRO_ANNUAL: "price_pro_annual_test",
  STRIPE_PRICE_TEAM_MONTHLY: "price_team_monthly_test",
  STRIPE_PRICE_TEAM_ANNUAL: "price_team_annual_test",
  STRIPE_API_BASE: "http://stripe.standin:12111",
};

export interface RecordedStripeCall {
  method: string;
  url: URL;
  headers: Headers;
  form: URLSearchParams;
}

type Reply = (call: RecordedStripeCall) => { status?: number; body: unknown };

/**
 * A local stand-in for api.stripe.com, reached through the STRIPE_API egress binding: it
 * records exactly what the SDK sent and answers from the routes a test gives it. Unknown
 * routes answer 404 the way Stripe does, so an unexpected call fails the test loudly.
 */
export function stripeStandIn(routes: Record<string, Reply> = {}) {
  const calls: RecordedStripeCall[] = [];
  const fetcher = {
    async fetch(input: RequestInfo | URL, init?: RequestInit) {
      const req = new Request(input as RequestInfo, init);
      const url = new URL(req.url);
      const call = { method: req.method, url, headers: req.headers, form: new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer())) };
      calls.push(call);
      const reply = routes[`${req.method} ${url.pathname}`];
      const { status = 200, body } = reply
        ? reply(call)
        : { status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such route ${url.pathname}` } } };
      return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", "Request-Id": "req_standin" } });
    },
  };
  return { calls, fetcher };
}

/** The app with Stripe configured and pointed at a stand-in; the rest of the suite stays unconfigured. */
export function billingApp(standIn: { fetcher: unknown } | null, extraEnv: Record<string, unknown> = {}, clock?: { now(): Date }) {
  const app = createApp(clock ? { clock } : {});
  const appEnv = { ...env, ...STRIPE_TEST_CONFIG, ...(standIn ? { STRIPE_API: standIn.fetcher } : {}), ...extraEnv };
  return async (method: string, path: string, opts: RequestOptions = {}) =>
    readResponse(await app.fetch(request(method, path, opts), appEnv, createExecutionContext()));
}

let eventCounter = 0;

export function stripeEvent(type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  eventCounter += 1;
  return {
    id: `evt_test_${eventCounter}_${crypto.randomUUID().slice(0, 8)}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/** Signs like Stripe does (real HMAC via SubtleCrypto), optionally with another secret or an old timestamp. */
export async function signedWebhook(event: unknown, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? STRIPE_TEST_CONFIG.STRIPE_WEBHOOK_SECRET,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
  return { rawBody: payload, headers: { "Stripe-Signature": signature, "Content-Type": "application/json" } };
}

export function subscriptionObject(opts: {
  id: string;
  customer: string;
  userId?: string;
  price: string;
  status?: string;
  periodStart?: number;
  periodEnd?: number;
  cancelAtPeriodEnd?: boolean;
}) {
  const periodStart = opts.periodStart ?? Date.UTC(2026, 0, 1) / 1000;
  const periodEnd = opts.periodEnd ?? Date.UTC(2026, 1, 1) / 1000;
  return {
    id: opts.id,
    object: "subscription",
    customer: opts.customer,
    status: opts.status ?? "active",
    cancel_at_period_end: opts.cancelAtPeriodEnd ?? false,
    metadata: opts.userId ? { userId: opts.userId } : {},
    items: {
      object: "list",
      data: [
        {
          id: `si_${opts.id}`,
          object: "subscription_item",
          price: { id: opts.price, object: "price" },
          current_period_start: periodStart,
          current_period_end: periodEnd,
        },
      ],
    },
  };
}
