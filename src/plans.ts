/**
 * The one table of plans. Rate limits and resource limits per plan, as documented in the README.
 * `null` means unlimited.
 */
export const PLANS = {
  free: {
    rateLimit: { perMinute: 30, perHour: 500 },
    limits: { workflows: 50, deployments: 3, connectionsPerMonth: 500 },
  },
  pro: {
    rateLimit: { perMinute: 100, perHour: 5_000 },
    limits: { workflows: 500, deployments: 25, connectionsPerMonth: 10_000 },
  },
  team: {
    rateLimit: { perMinute: 300, perHour: 20_000 },
    limits: { workflows: 5_000, deployments: 100, connectionsPerMonth: 100_000 },
  },
  enterprise: {
    rateLimit: { perMinute: 1_000, perHour: 100_000 },
    limits: { workflows: null, deployments: null, connectionsPerMonth: null },
  },
} as const satisfies Record<
  string,
  {
    rateLimit: { perMinute: number; perHour: number };
    limits: { workflows: number | null; deployments: number | null; connectionsPerMonth: number | null };
  }
>;

export type Plan = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as Plan[];

export function isPlan(value: unknown): value is Plan {
  return typeof value === "string" && value in PLANS;
}
