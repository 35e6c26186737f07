import { z } from "zod";
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

export const checkoutBody = (config: Config) =>
  z.object({
    priceId: z.enum(PRICE_KEY_NAMES, { message: `must be one of ${PRICE_KEY_NAMES.join(", ")}` }),
    successUrl: redirectUrl(config),
    cancelUrl: redirectUrl(config),
  });

export const portalBody = (config: Config) => z.object({ returnUrl: redirectUrl(config) });
