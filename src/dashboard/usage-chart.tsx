import { and, eq, gte } from "drizzle-orm";
import type { Database } from "../db/client";
import { deploymentUsageDaily } from "../db/schema";
import { monthStart } from "../deployments/usage";
import { ADAPTERS, type Adapter } from "../manifest/schema";

export interface DayUsage {
  date: string;
  byAdapter: Record<Adapter, number>;
}

/** Connections per UTC day of the current month (every day of it), split by adapter (zeros included). */
export async function usageThisMonth(db: Database, deploymentId: string, now: Date): Promise<DayUsage[]> {
  const from = monthStart(now);
  const rows = await db
    .select()
    .from(deploymentUsageDaily)
    .where(and(eq(deploymentUsageDaily.deploymentId, deploymentId), gte(deploymentUsageDaily.day, from)));
  const days: DayUsage[] = [];
  // Every day of the month, future ones included, so bars keep their width all month.
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  for (let t = Date.parse(`${from}T00:00:00Z`); t < end; t += 86_400_000) {
    days.push({ date: new Date(t).toISOString().slice(0, 10), byAdapter: { claude: 0, cursor: 0, codex: 0 } });
  }
  const byDate = new Map(days.map((d) => [d.date, d]));
  for (const r of rows) {
    const day = byDate.get(r.day);
    if (day && r.adapter in day.byAdapter) day.byAdapter[r.adapter as Adapter] += r.count;
  }
  return days;
}

const W = 640;
const H = 180;
const PAD_L = 34;
const PAD_B = 22;
const PAD_T = 10;

/** Stacked bars per day by adapter (SVG), the month's total against the plan's monthly limit. */
export function UsageChart({ days, limit }: { days: DayUsage[]; limit: number | null }) {
  const total = days.reduce((n, d) => n + ADAPTERS.reduce((m, a) => m + d.byAdapter[a], 0), 0);
  const dayMax = Math.max(1, ...days.map((d) => ADAPTERS.reduce((m, a) => m + d.byAdapter[a], 0)));
  const slot = (W - PAD_L) / Math.max(days.length, 1);
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD_T + (H - PAD_T - PAD_B) * (1 - v / dayMax);
  const perAdapter = ADAPTERS.map((a) => `${a} ${days.reduce((n, d) => n + d.byAdapter[a], 0)}`).join(", ");
  return (
    <div data-usage-total={String(total)}>
      <p>
        <strong id="usage-total">{total}</strong> {limit === null ? "connections this month (no monthly limit)" : `of ${limit} connections this month`}
        {limit !== null ? (
          <>
            {" "}
            <meter min={0} max={limit} value={total} low={limit * 0.8} high={limit * 0.95} aria-label="Share of the monthly limit used">
              {total} of {limit}
            </meter>
          </>
        ) : null}
      </p>
      <svg
        class="chart"
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label={`Connections per day this month by adapter: ${perAdapter}; total ${total}${limit === null ? "" : ` of a monthly limit of ${limit}`}`}
      >
        <line class="axis" x1={PAD_L} y1={H - PAD_B} x2={W} y2={H - PAD_B} />
        <text x={PAD_L - 6} y={y(dayMax) + 4} text-anchor="end">
          {dayMax}
        </text>
        <text x={PAD_L - 6} y={H - PAD_B + 4} text-anchor="end">
          0
        </text>
        {days.map((d, i) => {
          let base = 0;
          const x = PAD_L + i * slot + (slot - barW) / 2;
          return (
            <g data-day={d.date}>
              {ADAPTERS.map((a) => {
                const v = d.byAdapter[a];
                if (v === 0) return null;
                const top = y(base + v);
                const h = y(base) - top;
                base += v;
                return (
                  <rect class={`a-${a}`} x={x.toFixed(1)} y={top.toFixed(1)} width={barW.toFixed(1)} height={h.toFixed(1)}>
                    <title>{`${d.date} ${a}: ${v}`}</title>
                  </rect>
                );
              })}
              {i % 5 === 0 ? (
                <text x={(x + barW / 2).toFixed(1)} y={H - 6} text-anchor="middle">
                  {d.date.slice(8)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {ADAPTERS.map((a) => (
          <li>
            <span class={`swatch a-${a}`}></span>
            {a}: {days.reduce((n, d) => n + d.byAdapter[a], 0)}
          </li>
        ))}
      </ul>
    </div>
  );
}
