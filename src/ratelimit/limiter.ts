import type { Bindings } from "../env";
import { rateLimiterStub } from "./limiter-object";
import type { LimitWindows, RateDecision } from "./windows";

/** KV "blocked until" marker of a subject, written once per block, read at the edge. */
export const blockedKey = (subject: string) => `rlb:${subject}`;

interface BlockedMarker extends LimitWindows {
  until: number;
  limit: number;
  window: RateDecision["window"];
}

/**
 * Exact per-subject counting in the subject's RateLimiter Durable Object. A subject the limiter
 * has refused is refused at the edge from KV until its block ends, without a Durable Object call
 * (KV is eventually consistent, so a far location may still ask the object, which refuses too).
 */
export async function consume(
  env: Pick<Bindings, "KV" | "RATE_LIMITER">,
  subject: string,
  limits: LimitWindows,
  now: Date,
): Promise<RateDecision> {
  const nowSec = Math.floor(now.getTime() / 1000);
  const marker = await env.KV.get<BlockedMarker>(blockedKey(subject), "json");
  // A marker for other limits (the plan changed since) is ignored.
  if (marker && marker.until > nowSec && marker.perMinute === limits.perMinute && marker.perHour === limits.perHour) {
    return { allowed: false, limit: marker.limit, remaining: 0, window: marker.window, resetAt: marker.until, retryAfter: marker.until - nowSec };
  }
  const { firstRefusal, ...decision } = await rateLimiterStub(env, subject).consume(limits, nowSec);
  if (firstRefusal) {
    const value: BlockedMarker = { ...limits, until: decision.resetAt, limit: decision.limit, window: decision.window };
    // KV's minimum TTL is 60 s; `until` decides, the TTL only cleans up. A failed write costs a DO call later, nothing else.
    await env.KV.put(blockedKey(subject), JSON.stringify(value), { expirationTtl: Math.max(60, decision.retryAfter + 1) }).catch(() => undefined);
  }
  return decision;
}
