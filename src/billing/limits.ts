import { count, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { deployments, workflows } from "../db/schema";
import { ApiError } from "../errors";
import { PLANS, type Plan } from "../plans";

export type CountedResource = "workflows" | "deployments";

const counters = {
  workflows: (db: Database, userId: string) =>
    db.select({ n: count() }).from(workflows).where(eq(workflows.ownerId, userId)).get(),
  deployments: (db: Database, userId: string) =>
    db.select({ n: count() }).from(deployments).where(eq(deployments.ownerId, userId)).get(),
} satisfies Record<CountedResource, unknown>;

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
  const limit = PLANS[user.plan].limits[resource];
  if (limit === null) return;
  const current = (await counters[resource](db, user.id))?.n ?? 0;
  if (current >= limit) throw planLimitError(resource, user.plan, limit, current, upgradeUrl);
}
