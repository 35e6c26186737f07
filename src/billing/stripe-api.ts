import type { Logger } from "../log";
import type Stripe from "stripe";

/**
 * The four Stripe REST calls the product makes, over fetch. The Stripe SDK was a tenth of the
 * deployed bundle (33 KB of 323 KB gzip) for these calls and a signature check
 * (webhook-verify.ts); its types still describe the requests and answers (a dev dependency).
 */
export interface StripeApi {
  /** The request's logger: failures are logged with its request id, never shown. */
  readonly log: Logger;
  customers: { create(params: Stripe.CustomerCreateParams): Promise<Stripe.Customer> };
  checkout: { sessions: { create(params: Stripe.Checkout.SessionCreateParams): Promise<Stripe.Checkout.Session> } };
  billingPortal: { sessions: { create(params: Stripe.BillingPortal.SessionCreateParams): Promise<Stripe.BillingPortal.Session> } };
  subscriptions: { cancel(id: string): Promise<Stripe.Subscription> };
}

/** The API version the SDK this code was written against pins (its types describe this version). */
const STRIPE_API_VERSION = "2026-10-28.endive";
const TIMEOUT_MS = 10_000;

/** A Stripe answer other than 2xx; its message is Stripe's, for the logs only. */
export class StripeRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "StripeRequestError";
  }
}

/** Stripe's form encoding, as its SDK sends it: nested keys in brackets, arrays by index. */
export function stripeForm(params: object): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (Array.isArray(value)) value.forEach((item, i) => add(`${key}[${i}]`, item));
    else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else parts.push(`${encodeURIComponent(key).replace(/%5B/g, "[").replace(/%5D/g, "]")}=${encodeURIComponent(value === null ? "" : String(value))}`);
  };
  for (const [key, value] of Object.entries(params)) add(key, value);
  return parts.join("&");
}

export interface StripeApiOptions {
  secretKey: string;
  /** `https://api.stripe.com` unless configured (STRIPE_API_BASE). */
  base: string;
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  log: Logger;
}

/**
 * One request, retried once (as the SDK was configured) when the network fails or Stripe
 * answers 409/5xx; a POST carries one idempotency key across both tries.
 */
async function send<T>(options: StripeApiOptions, method: "POST" | "DELETE", path: string, params?: object): Promise<T> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${options.secretKey}`,
    "Stripe-Version": STRIPE_API_VERSION,
    "Content-Type": "application/x-www-form-urlencoded",
  };
  if (method === "POST") headers["Idempotency-Key"] = crypto.randomUUID();
  const init = { method, headers, ...(params ? { body: stripeForm(params) } : {}) };
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await options.fetch(`${options.base}${path}`, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      if (attempt === 0) continue;
      throw err;
    }
    if ((res.status === 409 || res.status >= 500) && attempt === 0) {
      await res.body?.cancel();
      continue;
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { type?: string; message?: string } };
    if (!res.ok) throw new StripeRequestError(res.status, body.error?.type, body.error?.message ?? `Stripe answered ${res.status}`);
    return body as T;
  }
}

export function stripeApi(options: StripeApiOptions): StripeApi {
  return {
    log: options.log,
    customers: { create: (params) => send(options, "POST", "/v1/customers", params) },
    checkout: { sessions: { create: (params) => send(options, "POST", "/v1/checkout/sessions", params) } },
    billingPortal: { sessions: { create: (params) => send(options, "POST", "/v1/billing_portal/sessions", params) } },
    subscriptions: { cancel: (id) => send(options, "DELETE", `/v1/subscriptions/${encodeURIComponent(id)}`) },
  };
}
