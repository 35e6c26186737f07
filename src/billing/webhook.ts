import { createRoute, z } from "@hono/zod-openapi";
import type { BatchItem } from "drizzle-orm/batch";
import { isUniqueViolation } from "../db/errors";
import { ok } from "../http/envelope";
import { errorResponses, restRouter, success } from "../openapi/route";
import { effectOf } from "./webhook-effects";
import { forgetAccount } from "../ratelimit/limiter";
import { effectStatements, isProcessed, markProcessedStatement } from "./webhook-sql";
import { verifiedEvent } from "./webhook-verify";
import { isAccountDeletedError } from "../users/tombstone";
import { dbOf } from "../db/session";

const receiptSchema = z.object({
  received: z.literal(true),
  eventId: z.string(),
  type: z.string(),
  duplicate: z.boolean().describe("true when this event was already processed (nothing changed)"),
  ignored: z.string().optional().describe("Why the event was acknowledged without effect"),
});

/**
 * `POST /v1/billing/webhook`: no user auth and no rate limit (mounted before the /v1
 * middleware); the Stripe signature is the authentication. Always 200 once verified, so
 * Stripe does not retry events we deliberately ignore.
 */
export const webhookRoutes = restRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Billing"],
    summary: "Stripe webhook",
    description: "Called by Stripe only: authenticated by the Stripe-Signature header, not a Bearer token, and not rate limited.",
    security: [],
    responses: {
      200: success("The event is received", receiptSchema, { rateLimited: false }),
      ...errorResponses(["VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "INTERNAL_ERROR"]),
    },
  }),
  async (c) => {
    const now = c.get("clock").now();
    const event = await verifiedEvent(c.get("config"), await c.req.text(), c.req.header("Stripe-Signature"), now);
    const db = dbOf(c);
    const receipt = { received: true as const, eventId: event.id, type: event.type };

    if (await isProcessed(db, event.id)) return ok(c, { ...receipt, duplicate: true });
    const effect = await effectOf(db, c.get("config"), c.get("log"), event);
    const iso = now.toISOString();
    const markProcessed = markProcessedStatement(db, event, iso);
    const statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] =
      "ignored" in effect ? [markProcessed] : [markProcessed, ...effectStatements(db, effect.userId, effect.fields, event.created, iso)];
    try {
      await db.batch(statements);
    } catch (err) {
      // The account was deleted while this event was processed: nothing to apply it to.
      if (isAccountDeletedError(err)) {
        await db.batch([markProcessed]);
        return ok(c, { ...receipt, duplicate: false, ignored: "no such user" });
      }
      // A concurrent delivery of the same event won the insert; its effect is already applied.
      if (isUniqueViolation(err)) return ok(c, { ...receipt, duplicate: true });
      throw err;
    }
    // The plan may have changed: the user's rate limiter reads the user row again.
    if (!("ignored" in effect)) await forgetAccount(c.env, effect.userId);
    return ok(c, { ...receipt, duplicate: false, ...("ignored" in effect ? { ignored: effect.ignored } : {}) });
  },
);
