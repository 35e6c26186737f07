import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuthVariables } from "../auth/middleware";
import { reopenSession } from "../db/session";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import type { Plan } from "../plans";
import { accountDeleted } from "../users/tombstone";
import { consume, userSubject } from "./limiter";
import { rateLimiterStub } from "./limiter-object";
import { limitsFor, type RateDecision } from "./windows";

type Ctx = Context<AppEnv & { Variables: AuthVariables }>;

const ipSubject = (c: Ctx) => `ip:${c.req.header("CF-Connecting-IP") ?? "local"}`;

/**
 * A verified token: one call to the user's RateLimiter object resolves the user (its copy of the
 * user row; D1 only on first use, after a change, or every ACCOUNT_RECHECK_MS) and counts the
 * request under the user's plan. A deleted account's request counts per IP, like any refused credential.
 */
async function admitToken(c: Ctx): Promise<{ plan: Plan; decision: RateDecision }> {
  const now = c.get("clock").now();
  const admission = await rateLimiterStub(c.env, userSubject(c.get("identity")!.sub)).admitAccount(c.get("identity")!, c.get("config").RATE_LIMITS, now.getTime());
  if (admission.deleted) {
    c.set("authError", accountDeleted());
    return admitOther(c, now);
  }
  c.set("user", { ...admission.user, via: "token" });
  if (admission.bookmark) reopenSession(c, admission.bookmark);
  return { plan: admission.user.plan, decision: admission.decision };
}

/** A user already resolved (API key), or nobody: per IP under the free plan. */
async function admitOther(c: Ctx, now = c.get("clock").now()): Promise<{ plan: Plan; decision: RateDecision }> {
  const user = c.get("user") as AppEnv["Variables"]["user"] | undefined;
  const plan: Plan = user?.plan ?? "free";
  const subject = user ? userSubject(user.id) : ipSubject(c);
  return { plan, decision: await consume(c.env, subject, limitsFor(plan, c.get("config").RATE_LIMITS), now) };
}

/**
 * Per user (or per client IP when unauthenticated), per plan. Sets X-RateLimit-* on every
 * response, including errors.
 */
export const rateLimit = createMiddleware<AppEnv & { Variables: AuthVariables }>(async (c, next) => {
  const { plan, decision } = c.get("identity") ? await admitToken(c) : await admitOther(c);
  const headers = {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
  };
  if (!decision.allowed) {
    throw new ApiError(
      "RATE_LIMITED",
      `Rate limit exceeded for the ${plan} plan (${decision.limit} requests per ${decision.window})`,
      { limit: decision.limit, window: decision.window, plan, retryAfterSeconds: decision.retryAfter },
      { ...headers, "Retry-After": String(decision.retryAfter) },
    );
  }
  try {
    await next();
  } finally {
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  }
});
