import type { Config } from "../env";
import { PLANS, type Plan } from "../plans";

export interface LimitWindows {
  perMinute: number;
  perHour: number;
}

/** `RATE_LIMITS` of the config: per-plan windows that replace the plan table's. */
export type LimitOverrides = Config["RATE_LIMITS"];

export function limitsFor(plan: Plan, overrides: LimitOverrides): LimitWindows {
  return overrides?.[plan] ?? PLANS[plan].rateLimit;
}

/** Counts of the current minute and hour windows (starts in unix seconds). */
export interface WindowState {
  m: number;
  mc: number;
  h: number;
  hc: number;
}

export interface RateDecision {
  allowed: boolean;
  /** The limit of the window that binds (the one with fewer requests left). */
  limit: number;
  remaining: number;
  window: "minute" | "hour";
  /** Unix seconds when the binding window resets (when refused: when requests are admitted again). */
  resetAt: number;
  retryAfter: number;
}

export const EMPTY_WINDOWS: WindowState = { m: 0, mc: 0, h: 0, hc: 0 };

/**
 * Fixed minute and hour windows. Counts one request into `state` (in place) when both windows
 * have room; otherwise refuses and counts nothing. A `nowSec` older than the stored windows (a
 * caller whose clock lags) counts into the stored windows instead of resetting them.
 */
export function admit(state: WindowState, limits: LimitWindows, nowSec: number): RateDecision {
  const minute = Math.max(nowSec - (nowSec % 60), state.m);
  const hour = Math.max(nowSec - (nowSec % 3600), state.h);
  if (state.m !== minute) Object.assign(state, { m: minute, mc: 0 });
  if (state.h !== hour) Object.assign(state, { h: hour, hc: 0 });

  const minuteLeft = limits.perMinute - state.mc;
  const hourLeft = limits.perHour - state.hc;
  const binding = minuteLeft <= hourLeft ? "minute" : "hour";
  const limit = binding === "minute" ? limits.perMinute : limits.perHour;
  const resetAt = binding === "minute" ? minute + 60 : hour + 3600;
  const left = Math.min(minuteLeft, hourLeft);

  if (left <= 0) {
    const blockedUntil = hourLeft <= 0 ? hour + 3600 : minute + 60;
    return {
      allowed: false,
      limit,
      remaining: 0,
      window: hourLeft <= 0 ? "hour" : binding,
      resetAt: blockedUntil,
      retryAfter: Math.max(1, blockedUntil - nowSec),
    };
  }
  state.mc += 1;
  state.hc += 1;
  return { allowed: true, limit, remaining: left - 1, window: binding, resetAt, retryAfter: 0 };
}
