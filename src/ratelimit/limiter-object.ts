import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { admit, EMPTY_WINDOWS, type LimitWindows, type RateDecision, type WindowState } from "./windows";

const STATE_KEY = "windows";
/** A checkpoint every this share of the hourly limit bounds what an eviction can forget. */
const CHECKPOINT_SHARE = 20;

export function rateLimiterStub(env: Pick<Bindings, "RATE_LIMITER">, subject: string) {
  const ns = env.RATE_LIMITER as unknown as DurableObjectNamespace<RateLimiter>;
  return ns.get(ns.idFromName(subject));
}

/**
 * One per subject (user or client IP). A Durable Object runs one request at a time and
 * `consume` never awaits, so the counts are exact however many requests arrive at once.
 * Counts live in memory; they are checkpointed to storage only every 1/20 of the hourly limit
 * and on the first refusal, so an eviction forgets at most that many requests.
 */
export class RateLimiter extends DurableObject<Bindings> {
  private state: WindowState | undefined;
  private refusedUntil = 0;

  consume(limits: LimitWindows, nowSec: number): RateDecision {
    const kv = this.ctx.storage.kv;
    const state = (this.state ??= { ...EMPTY_WINDOWS, ...kv.get<WindowState>(STATE_KEY) });
    const decision = admit(state, limits, nowSec);
    const firstRefusal = !decision.allowed && this.refusedUntil !== decision.resetAt;
    const every = Math.max(1, Math.floor(limits.perHour / CHECKPOINT_SHARE));
    if (firstRefusal || (decision.allowed && state.hc % every === 0)) {
      kv.put(STATE_KEY, state);
      // Forget the subject once its checkpointed hour is certainly over (wall clock, not the caller's).
      void this.ctx.storage.setAlarm(Date.now() + 2 * 3600_000);
    }
    if (!decision.allowed) this.refusedUntil = decision.resetAt;
    return decision;
  }

  /** The checkpoint's windows have closed: drop it (stale in-memory counts are reset by `admit`). */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
