import { DurableObject } from "cloudflare:workers";
import { AccountCache, type AccountLookup } from "../auth/account-cache";
import type { VerifiedIdentity } from "../auth/types";
import type { Bindings } from "../env";
import { admit, EMPTY_WINDOWS, limitsFor, type LimitOverrides, type LimitWindows, type RateDecision, type WindowState } from "./windows";

export type AccountAdmission = Extract<AccountLookup, { deleted: true }> | (Extract<AccountLookup, { deleted: false }> & { decision: RateDecision });

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
  private account: AccountCache | undefined;

  /**
   * A token's request: the user (from this object's copy of the user row, see AccountCache) and
   * the decision under the user's plan, in one call. A deleted account is not counted here (the
   * caller counts the refused request per IP, as for any failed credential).
   */
  async admitAccount(identity: VerifiedIdentity, overrides: LimitOverrides, nowMs: number): Promise<AccountAdmission> {
    const found = await (this.account ??= new AccountCache(this.env.DB)).lookup(identity, nowMs);
    if (found.deleted) return found;
    return { ...found, decision: this.consume(limitsFor(found.user.plan, overrides), Math.floor(nowMs / 1000)) };
  }

  /** The user row changed (account deletion, a billing plan change): read it again on next use. */
  forgetAccount(): void {
    this.account?.forget();
  }

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
