import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ok } from "../http/envelope";
import { errors, jsonBody, restRouter, success } from "../openapi/route";
import {
  checkoutBody,
  checkoutSessionSchema,
  documentedCheckoutBody,
  documentedPortalBody,
  portalBody,
  portalSessionSchema,
  subscriptionSchema,
} from "./schemas";
import { getSubscription, openPortal, startCheckout } from "./service";
import { billingNotConfigured, isStripeConfigured, stripeClientOf } from "./stripe";
import { dbOf } from "../db/session";

/** Checked before the body, so a server without Stripe says so whatever the client sent. */
const requireStripe = createMiddleware<AppEnv>(async (c, next) => {
  if (!isStripeConfigured(c.get("config"))) throw billingNotConfigured();
  await next();
});

const tags = ["Billing"];

export const billingRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/subscription",
      tags,
      summary: "Your plan and subscription",
      responses: { 200: success("Your plan and Stripe subscription (nulls without one)", subscriptionSchema), ...errors() },
    }),
    async (c) => ok(c, await getSubscription(dbOf(c), c.get("user"))),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/checkout",
      tags,
      summary: "Start a Stripe checkout",
      middleware: [requireStripe] as const,
      request: { body: jsonBody(documentedCheckoutBody, (c) => checkoutBody(c.get("config"))) },
      responses: {
        200: success("The checkout session to send the user to", checkoutSessionSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "CONFLICT", "BILLING_NOT_CONFIGURED", "SERVICE_UNAVAILABLE"),
      },
    }),
    async (c) => {
      const stripe = stripeClientOf(c);
      return ok(c, await startCheckout(dbOf(c), stripe, c.get("config"), c.get("user"), c.req.valid("json"), c.get("clock").now()));
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/portal",
      tags,
      summary: "Open the Stripe billing portal",
      middleware: [requireStripe] as const,
      request: { body: jsonBody(documentedPortalBody, (c) => portalBody(c.get("config"))) },
      responses: {
        200: success("The portal session to send the user to", portalSessionSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "CONFLICT", "BILLING_NOT_CONFIGURED", "SERVICE_UNAVAILABLE"),
      },
    }),
    async (c) => {
      const stripe = stripeClientOf(c);
      return ok(c, await openPortal(dbOf(c), stripe, c.get("user").id, c.req.valid("json").returnUrl));
    },
  );
