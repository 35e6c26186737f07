import Stripe from "stripe";
import type { Config } from "../env";
import { ApiError } from "../errors";
import type { Plan } from "../plans";

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
 * A Stripe client on the fetch HTTP client (workerd has no Node http). Built per request: it
 * holds no state worth sharing and keeps the Worker free of module-global clients.
 */
export function createStripeClient(config: Config, egress?: Fetcher): Stripe {
  if (!config.STRIPE_SECRET_KEY) throw billingNotConfigured();
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
  const fetchFn: typeof fetch | undefined = egress ? (input, init) => egress.fetch(input as RequestInfo, init) : undefined;
  return new Stripe(config.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(fetchFn),
    maxNetworkRetries: 1,
    timeout: 10_000,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === "http:" ? 80 : 443),
          protocol: base.protocol === "http:" ? "http" : "https",
        }
      : {}),
  });
}

/** Stripe failures become one opaque 503; Stripe's own message never reaches the client. */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    console.error(JSON.stringify({ level: "error", msg: `stripe ${what} failed`, error: String(err) }));
    throw new ApiError("SERVICE_UNAVAILABLE", `The payment provider could not ${what}; try again later`);
  }
}

export const subtleCrypto = () => Stripe.createSubtleCryptoProvider();
