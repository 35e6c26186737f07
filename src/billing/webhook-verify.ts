import type Stripe from "stripe";
import type { Config } from "../env";
import { ApiError } from "../errors";

/** Stripe's default: a signature older than this is a replay. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Stripe's scheme only refuses timestamps that are too old; one further ahead than the tolerance is as
 * suspect (a signature minted for later replay, or a wrong clock), so it is refused too.
 */
function signedInTheFuture(signature: string, now: Date): boolean {
  const limit = Math.floor(now.getTime() / 1000) + SIGNATURE_TOLERANCE_SECONDS;
  return signature.split(",").some((part) => {
    const [key, value] = part.trim().split("=", 2);
    return key === "t" && value !== undefined && /^\d+$/.test(value) && Number(value) > limit;
  });
}

const encoder = new TextEncoder();

function hexOf(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Same length and same characters, without stopping at the first difference. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Stripe's scheme (as its SDK checks it): `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]`, each
 * v1 an HMAC-SHA256 of `<t>.<body>` with the endpoint secret. A signature that matches but is
 * older than the tolerance is "stale"; anything else that does not verify is "bad".
 */
async function checkSignature(payload: string, header: string, secret: string, now: Date): Promise<"ok" | "bad" | "stale"> {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t") timestamp = value;
    else if (key === "v1" && value) signatures.push(value);
  }
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) return "bad";
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const expected = hexOf(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${payload}`)));
  if (!signatures.some((signature) => constantTimeEqual(signature, expected))) return "bad";
  return Math.floor(now.getTime() / 1000) - Number(timestamp) > SIGNATURE_TOLERANCE_SECONDS ? "stale" : "ok";
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
  const verdict = await checkSignature(payload, signature, secret, now);
  let event: Stripe.Event | undefined;
  let parsed = false;
  if (verdict === "ok") {
    try {
      event = JSON.parse(payload) as Stripe.Event;
      parsed = true;
    } catch {
      // A signed body that is not JSON is refused like a bad signature.
    }
  }
  if (!parsed) {
    const stale = verdict === "stale";
    throw new ApiError("VALIDATION_ERROR", stale ? "Stripe signature timestamp is too old" : "Stripe signature is invalid", {
      reason: stale ? "stale_timestamp" : "bad_signature",
    });
  }
  return wellFormed(event!, now);
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

