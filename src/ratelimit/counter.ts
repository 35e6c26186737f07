export interface LimitWindows {
  perMinute: number;
  perHour: number;
}

interface CounterState {
  /** Start (unix seconds) of the minute and hour windows the counts belong to. */
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
  /** Unix seconds when the binding window resets. */
  resetAt: number;
  retryAfter: number;
  /** The pending counter write; awaited after the handler so it overlaps the work. */
  persist: Promise<void>;
}

export const rateLimitKey = (subject: string) => `rl:${subject}`;

/**
 * Fixed-window counters for both windows in ONE KV key: one read and at most one write per
 * request. KV is eventually consistent (about 60 s across locations) and has no atomic
 * increment, so concurrent requests may undercount; the limits are a guard against abuse,
 * not a billing meter (see README "Rate limits").
 */
export async function consume(kv: KVNamespace, subject: string, limits: LimitWindows, now: Date): Promise<RateDecision> {
  const nowSec = Math.floor(now.getTime() / 1000);
  const minute = nowSec - (nowSec % 60);
  const hour = nowSec - (nowSec % 3600);
  const key = rateLimitKey(subject);
  const stored = await kv.get<CounterState>(key, "json");
  const state: CounterState = {
    m: minute,
    mc: stored?.m === minute ? stored.mc : 0,
    h: hour,
    hc: stored?.h === hour ? stored.hc : 0,
  };

  const minuteLeft = limits.perMinute - state.mc;
  const hourLeft = limits.perHour - state.hc;
  const binding = minuteLeft <= hourLeft ? "minute" : "hour";
  const limit = binding === "minute" ? limits.perMinute : limits.perHour;
  const resetAt = binding === "minute" ? minute + 60 : hour + 3600;
  const left = Math.min(minuteLeft, hourLeft);

  if (left <= 0) {
    const blockedUntil = minuteLeft <= 0 && hourLeft <= 0 ? hour + 3600 : resetAt;
    return {
      allowed: false,
      limit,
      remaining: 0,
      window: hourLeft <= 0 ? "hour" : binding,
      resetAt: blockedUntil,
      retryAfter: Math.max(1, blockedUntil - nowSec),
      persist: Promise.resolve(),
    };
  }

  state.mc += 1;
  state.hc += 1;
  // A failed write (e.g. KV's one-write-per-second-per-key limit) only loses one count.
  const persist = kv
    .put(key, JSON.stringify(state), { expirationTtl: Math.max(60, hour + 3600 - nowSec + 60) })
    .catch(() => undefined);
  return {
    allowed: true,
    limit,
    remaining: left - 1,
    window: binding,
    resetAt,
    retryAfter: 0,
    persist,
  };
}
