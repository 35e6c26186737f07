import type { Bindings } from "../env";
import { rateLimiterStub } from "./limiter-object";
import type { LimitWindows, RateDecision } from "./windows";

/**
 * Exact per-subject counting in the subject's RateLimiter Durable Object: one call per request,
 * no storage read or write on the Worker's side. (A KV "blocked until" marker read at the edge
 * was measured and dropped: the KV read cost four times the object call on every admitted
 * request, to save one cheap refusal per blocked request; see README "Rate limits".)
 */
export async function consume(
  env: Pick<Bindings, "RATE_LIMITER">,
  subject: string,
  limits: LimitWindows,
  now: Date,
): Promise<RateDecision> {
  return rateLimiterStub(env, subject).consume(limits, Math.floor(now.getTime() / 1000));
}

/** The rate-limit subject (and RateLimiter object) of a user. */
export const userSubject = (userId: string) => `u:${userId}`;

/** The user row changed (deletion, plan): the user's object reads it again on the next request. */
export async function forgetAccount(env: Pick<Bindings, "RATE_LIMITER">, userId: string): Promise<void> {
  await rateLimiterStub(env, userSubject(userId)).forgetAccount();
}
