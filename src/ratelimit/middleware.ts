import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { PLANS, type Plan } from "../plans";
import { consume } from "./limiter";
import type { LimitWindows } from "./windows";

function limitsFor(plan: Plan, overrides: AppEnv["Variables"]["config"]["RATE_LIMITS"]): LimitWindows {
  return overrides?.[plan] ?? PLANS[plan].rateLimit;
}

/**
 * Per user (or per client IP when unauthenticated), per plan. Sets X-RateLimit-* on every
 * response, including errors.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.var.user as AppEnv["Variables"]["user"] | undefined;
  const plan: Plan = user?.plan ?? "free";
  const subject = user ? `u:${user.id}` : `ip:${c.req.header("CF-Connecting-IP") ?? "local"}`;
  const limits = limitsFor(plan, c.var.config.RATE_LIMITS);
  const decision = await consume(c.env, subject, limits, c.var.clock.now());

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
