import type Stripe from "stripe";
import type { Config } from "../env";
import { ApiError } from "../errors";
import { hexOf } from "../services";

/** Stripe's default: a signature older than this is a replay. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

/** Same length and same characters, without stopping at the first difference. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Stripe's scheme (as its SDK reads it): `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]`; the last
 * `t` counts, every non-empty `v1` is a candidate. The timestamp is kept (as signed, for the HMAC
 * input) only when it is all digits.
 */
function parsedHeader(header: string): { timestamp: string | undefined; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t") timestamp = value;
    else if (key === "v1" && value) signatures.push(value);
  }
  return { timestamp: timestamp !== undefined && /^\d+$/.test(timestamp) ? timestamp : undefined, signatures };
}

function invalidSignature(): ApiError {
  return new ApiError("VALIDATION_ERROR", "Stripe signature is invalid", { reason: "bad_signature" });
}

/**
 * The event in a webhook body, once its Stripe signature checks out; every failure is a 400 with a `reason`.
 * Each v1 is an HMAC-SHA256 of `<t>.<body>` with the endpoint secret. Stripe only refuses timestamps
 * older than the tolerance ("stale"); one further ahead is as suspect (a signature minted for later
 * replay, or a wrong clock), so it is refused too, before any crypto. Anything else is "bad".
 */
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
  const { timestamp, signatures } = parsedHeader(signature);
  const age = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (timestamp !== undefined && age < -SIGNATURE_TOLERANCE_SECONDS) {
    throw new ApiError("VALIDATION_ERROR", "Stripe signature timestamp is in the future", { reason: "future_timestamp" });
  }
  if (timestamp === undefined || signatures.length === 0) throw invalidSignature();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const expected = hexOf(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${payload}`)));
  if (!signatures.some((candidate) => constantTimeEqual(candidate, expected))) throw invalidSignature();
  if (age > SIGNATURE_TOLERANCE_SECONDS) {
    throw new ApiError("VALIDATION_ERROR", "Stripe signature timestamp is too old", { reason: "stale_timestamp" });
  }
  let event: Stripe.Event;
  try {
    event = JSON.parse(payload) as Stripe.Event;
  } catch {
    // A signed body that is not JSON is refused like a bad signature.
    throw invalidSignature();
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

