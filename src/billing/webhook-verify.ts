import Stripe from "stripe";
import type { Config } from "../env";
import { ApiError } from "../errors";
import { subtleCrypto } from "./stripe";

/** Stripe's default: a signature older than this is a replay. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The SDK only refuses timestamps that are too old; one further ahead than the tolerance is as
 * suspect (a signature minted for later replay, or a wrong clock), so it is refused too.
 */
function signedInTheFuture(signature: string, now: Date): boolean {
  const limit = Math.floor(now.getTime() / 1000) + SIGNATURE_TOLERANCE_SECONDS;
  return signature.split(",").some((part) => {
    const [key, value] = part.trim().split("=", 2);
    return key === "t" && value !== undefined && /^\d+$/.test(value) && Number(value) > limit;
  });
}

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
  if (signedInTheFuture(signature, now)) {
    throw new ApiError("VALIDATION_ERROR", "Stripe signature timestamp is in the future", { reason: "future_timestamp" });
  }
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS, subtleCrypto(), now.getTime());
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

