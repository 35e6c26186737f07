import type { Context } from "hono";
import type { AppEnv, Config } from "../env";
import type { Logger } from "../log";
import { ApiError } from "../errors";
import type { Plan } from "../plans";
import { stripeApi, type StripeApi } from "./stripe-api";

/** The public plan ids of `POST /v1/billing/checkout` and the config var holding each Stripe price. */
export const PRICE_KEYS = {
  pro_monthly: { plan: "pro", configKey: "STRIPE_PRICE_PRO_MONTHLY" },
  pro_annual: { plan: "pro", configKey: "STRIPE_PRICE_PRO_ANNUAL" },
  team_monthly: { plan: "team", configKey: "STRIPE_PRICE_TEAM_MONTHLY" },
  team_annual: { plan: "team", configKey: "STRIPE_PRICE_TEAM_ANNUAL" },
} as const satisfies Record<string, { plan: Plan; configKey: keyof Config }>;

export type PriceKey = keyof typeof PRICE_KEYS;
export const PRICE_KEY_NAMES = Object.keys(PRICE_KEYS) as [PriceKey, ...PriceKey[]];

export function stripePriceFor(config: Config, key: PriceKey): string | undefined {
  return config[PRICE_KEYS[key].configKey];
}

/** Maps a Stripe price id back to our plan through the configured price ids. */
export function planForStripePrice(config: Config, priceId: string | null | undefined): Plan | null {
  if (!priceId) return null;
  for (const key of PRICE_KEY_NAMES) {
    if (stripePriceFor(config, key) === priceId) return PRICE_KEYS[key].plan;
  }
  return null;
}

export const billingNotConfigured = (what = "Billing") =>
  new ApiError("BILLING_NOT_CONFIGURED", `${what} is not configured on this server`);

export function isStripeConfigured(config: Config): boolean {
  return Boolean(config.STRIPE_SECRET_KEY);
}

/**
 * A Stripe client over fetch (the egress binding when there is one). Built per request: it
 * holds no state worth sharing and keeps the Worker free of module-global clients.
 */
export function createStripeClient(config: Config, egress: Fetcher | undefined, log: Logger): StripeApi {
  if (!config.STRIPE_SECRET_KEY) throw billingNotConfigured();
  return stripeApi({
    secretKey: config.STRIPE_SECRET_KEY,
    base: config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE).origin : "https://api.stripe.com",
    log,
    fetch: egress ? (input, init) => egress.fetch(input, init) : (input, init) => fetch(input, init),
  });
}

/** The request's Stripe client (REST routes and dashboard pages alike). */
export const stripeClientOf = (c: Context<AppEnv>): StripeApi => createStripeClient(c.get("config"), c.env.STRIPE_API, c.get("log"));

/** Stripe failures become one opaque 503; Stripe's own message never reaches the client. */
export async function callStripe<T>(stripe: StripeApi, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    stripe.log.error(`stripe ${what} failed`, { error: String(err) });
    throw new ApiError("SERVICE_UNAVAILABLE", `The payment provider could not ${what}; try again later`);
  }
}

