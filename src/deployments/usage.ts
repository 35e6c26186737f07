import { and, eq, gte, inArray, sql, sum } from "drizzle-orm";
import type { Database } from "../db/client";
import { deploymentUsageDaily, deployments, users } from "../db/schema";
import { ApiError } from "../errors";
import { ADAPTERS, type Adapter } from "../manifest/schema";
import { PLANS, isPlan, type Plan } from "../plans";

export type UsagePeriod = "day" | "week" | "month";

const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Connections are counted per UTC calendar month; the plan limit applies per deployment. */
export const monthStart = (now: Date) => `${now.toISOString().slice(0, 7)}-01`;

function periodStart(period: UsagePeriod, now: Date): string {
  if (period === "day") return dayOf(now);
  if (period === "week") return dayOf(new Date(now.getTime() - 6 * DAY_MS));
  return monthStart(now);
}

export async function connectionsThisMonth(db: Database, deploymentIds: string[], now: Date): Promise<Map<string, number>> {
  if (deploymentIds.length === 0) return new Map();
  const rows = await db
    .select({ id: deploymentUsageDaily.deploymentId, n: sum(deploymentUsageDaily.count) })
    .from(deploymentUsageDaily)
    .where(and(inArray(deploymentUsageDaily.deploymentId, deploymentIds), gte(deploymentUsageDaily.day, monthStart(now))))
    .groupBy(deploymentUsageDaily.deploymentId);
  return new Map(rows.map((r) => [r.id, Number(r.n ?? 0)]));
}

export async function deploymentUsage(db: Database, deploymentId: string, plan: Plan, period: UsagePeriod, now: Date) {
  const from = [periodStart(period, now), monthStart(now)].sort()[0]!;
  const rows = await db
    .select()
    .from(deploymentUsageDaily)
    .where(and(eq(deploymentUsageDaily.deploymentId, deploymentId), gte(deploymentUsageDaily.day, from)));
  const start = periodStart(period, now);
  const inPeriod = rows.filter((r) => r.day >= start);
  const monthTotal = rows.filter((r) => r.day >= monthStart(now)).reduce((n, r) => n + r.count, 0);

  const byAdapter = Object.fromEntries(ADAPTERS.map((a) => [a, 0])) as Record<Adapter, number>;
  const perDay = new Map<string, number>();
  for (const r of inPeriod) {
    if (r.adapter in byAdapter) byAdapter[r.adapter as Adapter] += r.count;
    perDay.set(r.day, (perDay.get(r.day) ?? 0) + r.count);
  }
  // Every day of the period, zeros included, so a chart needs no gap filling.
  const byDay: { date: string; count: number }[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= now.getTime(); t += DAY_MS) {
    const date = dayOf(new Date(t));
    byDay.push({ date, count: perDay.get(date) ?? 0 });
  }
  const limit = PLANS[plan].limits.connectionsPerMonth;
  return {
    deploymentId,
    period,
    connections: {
      total: inPeriod.reduce((n, r) => n + r.count, 0),
      limit,
      remaining: limit === null ? null : Math.max(0, limit - monthTotal),
    },
    byAdapter,
    byDay,
  };
}

/**
 * Run on `initialize` only, so ordinary MCP requests never touch D1: refuses a connection
 * over the owner's monthly plan limit, otherwise counts it (deployment, day, adapter) and
 * stamps lastConnectedAt. Concurrent initializes at the limit may overshoot by a few.
 */
export async function countConnection(
  db: Database,
  ownerId: string,
  deploymentId: string,
  adapter: Adapter,
  now: Date,
  upgradeUrl?: string,
) {
  const [owner, used] = await db.batch([
    db.select({ plan: users.plan }).from(users).where(eq(users.id, ownerId)),
    db
      .select({ n: sum(deploymentUsageDaily.count) })
      .from(deploymentUsageDaily)
      .where(and(eq(deploymentUsageDaily.deploymentId, deploymentId), gte(deploymentUsageDaily.day, monthStart(now)))),
  ]);
  const rawPlan = owner[0]?.plan;
  const plan: Plan = isPlan(rawPlan) ? rawPlan : "free";
  const limit = PLANS[plan].limits.connectionsPerMonth;
  const current = Number(used[0]?.n ?? 0);
  if (limit !== null && current >= limit) {
    throw new ApiError(
      "PLAN_LIMIT_EXCEEDED",
      `This deployment reached its ${limit} connections for this month on the ${plan} plan; the owner must upgrade or wait until next month`,
      { resource: "connectionsPerMonth", limit, current, plan, ...(upgradeUrl ? { upgradeUrl } : {}) },
    );
  }
  await db.batch([
    db
      .insert(deploymentUsageDaily)
      .values({ deploymentId, day: dayOf(now), adapter, count: 1 })
      .onConflictDoUpdate({
        target: [deploymentUsageDaily.deploymentId, deploymentUsageDaily.day, deploymentUsageDaily.adapter],
        set: { count: sql`${deploymentUsageDaily.count} + 1` },
      }),
    db.update(deployments).set({ lastConnectedAt: now.toISOString() }).where(eq(deployments.id, deploymentId)),
  ]);
}
