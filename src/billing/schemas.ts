import { z } from "@hono/zod-openapi";
import { PLAN_NAMES, type Plan } from "../plans";
import type { Config } from "../env";
import { PRICE_KEY_NAMES } from "./stripe";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Where Stripe may send the user back to: https anywhere (or only the allowed origins when
 * BILLING_ALLOWED_ORIGINS is set); plain http only to localhost outside production.
 */
export function redirectUrl(config: Config) {
  const allowLocalHttp = config.ENVIRONMENT !== "production";
  return z
    .string()
    .max(2048)
    .superRefine((raw, ctx) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
        return;
      }
      const localHttp = url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
      if (url.protocol !== "https:" && !(allowLocalHttp && localHttp)) {
        ctx.addIssue({
          code: "custom",
          message: allowLocalHttp ? "must use https (http is allowed only for localhost)" : "must use https",
        });
        return;
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "must not contain credentials" });
        return;
      }
      const allowed = config.BILLING_ALLOWED_ORIGINS;
      if (allowed && allowed.length > 0 && !allowed.includes(url.origin)) {
        ctx.addIssue({ code: "custom", message: `origin ${url.origin} is not allowed (allowed: ${allowed.join(", ")})` });
      }
    });
}

/** What the document shows of a redirect URL; `redirectUrl(config)` validates it per server. */
const documentedRedirectUrl = z
  .string()
  .max(2048)
  .describe("An absolute https URL (http only for localhost outside production), of an allowed origin when the server restricts them");

const checkoutFields = (url: z.ZodType<string>) =>
  z.object({
    priceId: z.enum(PRICE_KEY_NAMES, { message: `must be one of ${PRICE_KEY_NAMES.join(", ")}` }),
    successUrl: url,
    cancelUrl: url,
  });

export const checkoutBody = (config: Config) => checkoutFields(redirectUrl(config));
export const documentedCheckoutBody = checkoutFields(documentedRedirectUrl);

export const portalBody = (config: Config) => z.object({ returnUrl: redirectUrl(config) });
export const documentedPortalBody = z.object({ returnUrl: documentedRedirectUrl });

// Responses
export const subscriptionSchema = z
  .object({
    plan: z.enum(PLAN_NAMES as [Plan, ...Plan[]]),
    status: z.string().nullable().describe("The Stripe subscription status, null without a subscription"),
    customerId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    currentPeriodStart: z.string().nullable(),
    currentPeriodEnd: z.string().nullable(),
    cancelAtPeriodEnd: z.boolean(),
  })
  .openapi("Subscription");

export const checkoutSessionSchema = z.object({ checkoutUrl: z.string().describe("Send the user here to pay") });
export const portalSessionSchema = z.object({ portalUrl: z.string() });
