import { count, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { deployments, users, workflows } from "../db/schema";
import { ApiError } from "../errors";
import { PLANS, type Plan } from "../plans";

export type CountedResource = "workflows" | "deployments";

/**
 * The count and the plan as D1 has them now, in one statement: the request's user may carry the
 * plan of its rate limiter's copy of the user row, which can lag a change made directly in D1.
 */
const storedPlan = (userId: string) => sql<Plan | null>`(select ${users.plan} from ${users} where ${users.id} = ${userId})`;
const countOwned = (table: typeof workflows | typeof deployments) => (db: Database, userId: string) =>
  db.select({ n: count(), plan: storedPlan(userId) }).from(table).where(eq(table.ownerId, userId)).get();
const counters = { workflows: countOwned(workflows), deployments: countOwned(deployments) } satisfies Record<CountedResource, unknown>;

export function planLimitError(resource: string, plan: Plan, limit: number, current: number, upgradeUrl?: string) {
  return new ApiError(
    "PLAN_LIMIT_EXCEEDED",
    `The ${plan} plan allows ${limit} ${resource}; upgrade to add more`,
    { resource, limit, current, plan, ...(upgradeUrl ? { upgradeUrl } : {}) },
  );
}

/**
 * Checked before anything is written, so a refused create leaves nothing behind. Two creates
 * racing at the limit can both pass (D1 has no cross-statement locks); the overshoot is at
 * most the number of concurrent requests, which we accept and document.
 */
export async function assertWithinPlanLimit(
  db: Database,
  user: { id: string; plan: Plan },
  resource: CountedResource,
  upgradeUrl?: string,
) {
  const found = await counters[resource](db, user.id);
  const plan = found?.plan ?? user.plan;
  const limit = PLANS[plan].limits[resource];
  if (limit === null) return;
  const current = found?.n ?? 0;
  if (current >= limit) throw planLimitError(resource, plan, limit, current, upgradeUrl);
}
