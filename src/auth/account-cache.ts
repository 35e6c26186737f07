import { ApiError } from "../errors";
import { createDatabase } from "../db/client";
import { accountVerdict, ensureUser, loadAccountState, type AccountState } from "../users/service";
import { isAccountDeletedError } from "../users/tombstone";
import type { VerifiedIdentity } from "./types";
import type { UserRow } from "../db/schema";

/**
 * How long a user's Durable Object trusts its copy of the user row before reading D1 again.
 * The deletion and billing paths tell the object at once (`forgetAccount`); this only bounds
 * how long a change made around them (an operator's UPDATE in D1) takes to reach rate limits.
 */
export const ACCOUNT_RECHECK_MS = 30_000;

export type AccountLookup =
  | { deleted: true }
  | {
      deleted: false;
      user: Pick<UserRow, "id" | "email" | "plan">;
      /** A D1 bookmark when this lookup read or wrote D1, so the request's own reads are at least this new. */
      bookmark: string | null;
    };

/**
 * The user row of one identity, held by that user's RateLimiter Durable Object (the object every
 * request of the user calls anyway), so a request costs no D1 read for authentication. One
 * object per user runs one request at a time; a load is shared by the requests that wait for it,
 * and a `forget` during a load makes that load's answer unused for later requests.
 */
export class AccountCache {
  private state: AccountState | undefined;
  private loadedAt = 0;
  private generation = 0;

  constructor(private readonly d1: D1Database) {}

  async lookup(identity: VerifiedIdentity, nowMs: number): Promise<AccountLookup> {
    // One object per user id, so the state is always this identity's.
    if (this.state && Math.abs(nowMs - this.loadedAt) < ACCOUNT_RECHECK_MS) {
      const verdict = accountVerdict(this.state, identity);
      if (verdict === "deleted") return { deleted: true };
      if (verdict !== "write") return { deleted: false, user: pick(verdict), bookmark: null };
    }
    return this.load(identity, nowMs);
  }

  /** The deletion and billing paths changed the row: the next request reads D1. */
  forget(): void {
    this.generation++;
    this.state = undefined;
  }

  private async load(identity: VerifiedIdentity, nowMs: number): Promise<AccountLookup> {
    const generation = this.generation;
    const session = this.d1.withSession("first-primary");
    const db = createDatabase(session);
    const state = await loadAccountState(db, identity.sub);
    let user: UserRow;
    try {
      user = await ensureUser(db, identity, new Date(nowMs), state);
    } catch (err) {
      if (!isAccountDeletedError(err) && !isDeletedRefusal(err)) throw err;
      if (generation === this.generation) this.remember(state, nowMs);
      return { deleted: true };
    }
    if (generation === this.generation) this.remember({ user, tombstoneAt: state.tombstoneAt }, nowMs);
    return { deleted: false, user: pick(user), bookmark: session.getBookmark() };
  }

  private remember(state: AccountState, nowMs: number) {
    this.state = state;
    this.loadedAt = nowMs;
  }
}

const pick = (user: UserRow) => ({ id: user.id, email: user.email, plan: user.plan });

/** `ensureUser`'s 401 for a deleted account (an ApiError), as opposed to a failing D1. */
const isDeletedRefusal = (err: unknown) => err instanceof ApiError && err.code === "UNAUTHORIZED";
