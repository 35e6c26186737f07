import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ok } from "../http/envelope";
import { parseOrThrow, readJson } from "../http/validate";
import { checkoutBody, portalBody } from "./schemas";
import { getSubscription, openPortal, startCheckout } from "./service";
import { billingNotConfigured, createStripeClient, isStripeConfigured } from "./stripe";

/** Checked before the body, so a server without Stripe says so whatever the client sent. */
const requireStripe = createMiddleware<AppEnv>(async (c, next) => {
  if (!isStripeConfigured(c.var.config)) throw billingNotConfigured();
  await next();
});

export const billingRoutes = new Hono<AppEnv>()
  .get("/subscription", async (c) => ok(c, await getSubscription(c.var.db, c.var.user)))
  .post("/checkout", requireStripe, async (c) => {
    const input = parseOrThrow(checkoutBody(c.var.config), await readJson(c));
    const stripe = createStripeClient(c.var.config, c.env.STRIPE_API);
    return ok(c, await startCheckout(c.var.db, stripe, c.var.config, c.var.user, input, c.var.clock.now()));
  })
  .post("/portal", requireStripe, async (c) => {
    const { returnUrl } = parseOrThrow(portalBody(c.var.config), await readJson(c));
    const stripe = createStripeClient(c.var.config, c.env.STRIPE_API);
    return ok(c, await openPortal(c.var.db, stripe, c.var.user.id, returnUrl));
  });
