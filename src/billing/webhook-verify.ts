import Stripe from "stripe";
import type { Config } from "../env";
import { ApiError } from "../errors";
import { subtleCrypto } from "./stripe";

/** The event in a webhook body, once its Stripe signature checks out; every failure is a 400 with a `reason`. */
export async function verifiedEvent(config: Config, payload: string, signature: string | undefined, now: Date) {
  const secret = config.STRIPE_WEBHOOK_SECRET;
  if (!secret) {
    throw new ApiError("VALIDATION_ERROR", "Webhook cannot be verified: no webhook secret is configured", {
      reason: "not_configured",
    });
  }
  if (!signature) {
    throw new ApiError("VALIDATION_ERROR", "Missing Stripe-Signature header", {
      reason: "missing_signature",
      issues: [{ path: "(header).Stripe-Signature", message: "required" }],
    });
  }
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(payload, signature, secret, undefined, subtleCrypto(), now.getTime());
  } catch (err) {
    const stale = /tolerance/i.test(String((err as Error)?.message));
    throw new ApiError("VALIDATION_ERROR", stale ? "Stripe signature timestamp is too old" : "Stripe signature is invalid", {
      reason: stale ? "stale_timestamp" : "bad_signature",
    });
  }
  return wellFormed(event, now);
}

/**
 * A correctly signed body is still only JSON: without an id (idempotency key), a type and an
 * object it is a 400, not a 500. A missing `created` counts as "now" for ordering.
 */
function wellFormed(event: Stripe.Event, now: Date): Stripe.Event {
  const raw = event as unknown as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } } | null;
  const issues = [
    ...(typeof raw?.id === "string" && raw.id !== "" ? [] : [{ path: "id", message: "required" }]),
    ...(typeof raw?.type === "string" ? [] : [{ path: "type", message: "required" }]),
    ...(raw?.data?.object && typeof raw.data.object === "object" ? [] : [{ path: "data.object", message: "required" }]),
  ];
  if (issues.length > 0) throw new ApiError("VALIDATION_ERROR", "Webhook payload is not a Stripe event", { reason: "bad_event", issues });
  return typeof raw!.created === "number" ? event : { ...event, created: Math.floor(now.getTime() / 1000) };
}

