import { and, desc, eq, gte, inArray, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { users, workflows, type WorkflowRow } from "../db/schema";
import type { Pagination } from "../http/envelope";
import { buildPage, decodeCursor, encodeCursor } from "../http/pagination";
import { toMarketplaceItem, type MarketplaceRow } from "./dto";
import { bayesianScore } from "./ranking";
import type { BrowseQuery, MarketplaceSort, SearchQuery } from "./schemas";
import { toFtsMatchExpression } from "./search";
import { derivedOnce, type Config } from "../env";

/** FEATURED_WORKFLOW_IDS as a set, once per (immutable) config. */
export const featuredIdsOf = derivedOnce((config: Config): ReadonlySet<string> => new Set(config.FEATURED_WORKFLOW_IDS));

/** Featured rule: operator picks first, then the best rated among recently maintained workflows. */
export const FEATURED_MIN_VOTES = 3;
export const FEATURED_ACTIVITY_DAYS = 180;

type CursorKey = Record<string, string | number>;

function marketplaceSelect(db: Database) {
  return db
    .select({ workflow: workflows, ownerDisplayName: users.displayName })
    .from(workflows)
    .leftJoin(users, eq(users.id, workflows.ownerId));
}

/** Wraps a typed sort definition so callers need not know its cursor shape. */
function sortSpec<K extends CursorKey>(spec: {
  cursor: z.ZodType<K>;
  keyOf: (row: WorkflowRow) => K;
  /** Rows strictly after the cursor row in this order (row-value comparison over every sort key). */
  after: (key: K) => SQL;
  orderBy: SQL[];
}) {
  return {
    orderBy: spec.orderBy,
    keyOf: spec.keyOf,
    afterCursor: (kind: string, cursor: string) => spec.after(decodeCursor(kind, cursor, spec.cursor)),
  };
}

const ratingScore = bayesianScore(workflows.ratingSum, workflows.ratingCount);

const SORTS = {
  // Most subscribers; ties: most forks, then newest (created_at, id).
  popular: sortSpec({
    cursor: z.object({ s: z.number().int(), f: z.number().int(), c: z.string(), i: z.string() }),
    keyOf: (w) => ({ s: w.subscribersCount, f: w.forksCount, c: w.createdAt, i: w.id }),
    after: (k) =>
      sql`(${workflows.subscribersCount}, ${workflows.forksCount}, ${workflows.createdAt}, ${workflows.id}) < (${k.s}, ${k.f}, ${k.c}, ${k.i})`,
    orderBy: [desc(workflows.subscribersCount), desc(workflows.forksCount), desc(workflows.createdAt), desc(workflows.id)],
  }),
  // Last updated first.
  recent: sortSpec({
    cursor: z.object({ u: z.string(), i: z.string() }),
    keyOf: (w) => ({ u: w.updatedAt, i: w.id }),
    after: (k) => sql`(${workflows.updatedAt}, ${workflows.id}) < (${k.u}, ${k.i})`,
    orderBy: [desc(workflows.updatedAt), desc(workflows.id)],
  }),
  // Bayesian average, unrated last; the cursor keeps (sum, count) and re-scores them in SQL.
  rating: sortSpec({
    cursor: z.object({ rs: z.number().int(), rc: z.number().int(), i: z.string() }),
    keyOf: (w) => ({ rs: w.ratingSum, rc: w.ratingCount, i: w.id }),
    after: (k) => sql`(${ratingScore}, ${workflows.id}) < (${bayesianScore(k.rs, k.rc)}, ${k.i})`,
    orderBy: [desc(ratingScore), desc(workflows.id)],
  }),
} satisfies Record<MarketplaceSort, unknown>;

export async function browseMarketplace(db: Database, query: BrowseQuery, featuredIds: ReadonlySet<string>) {
  const sort = SORTS[query.sort];
  const kind = `marketplace:${query.sort}`;
  const rows = await marketplaceSelect(db)
    .where(
      and(
        eq(workflows.visibility, "public"),
        query.category !== undefined ? eq(workflows.category, query.category) : undefined,
        query.cursor ? sort.afterCursor(kind, query.cursor) : undefined,
      ),
    )
    .orderBy(...sort.orderBy)
    .limit(query.limit + 1);
  return buildPage(rows, query.limit, kind, (r) => sort.keyOf(r.workflow), (r) => toMarketplaceItem(r, featuredIds));
}

const searchCursor = z.object({ r: z.number(), i: z.string() });
const SEARCH_KIND = "marketplace:search";

/**
 * Relevance is FTS5's bm25 with column weights name 10, description 4, tags 6, step names 2
 * (lower is better). Pages are keyed on (score, id); scores only move when the indexed
 * corpus changes between two page requests.
 */
export async function searchMarketplace(
  db: Database,
  query: SearchQuery,
  featuredIds: ReadonlySet<string>,
): Promise<{ items: ReturnType<typeof toMarketplaceItem>[]; pagination: Pagination }> {
  const match = toFtsMatchExpression(query.q);
  const after = query.cursor ? decodeCursor(SEARCH_KIND, query.cursor, searchCursor) : null;
  if (match === null) return { items: [], pagination: { nextCursor: null, hasMore: false, count: 0 } };

  // CROSS JOIN pins the FTS table as the outer loop, so MATCH drives the query.
  const hits = await db.all<{ id: string; score: number }>(sql`
    SELECT id, score FROM (
      SELECT w.id AS id, bm25(workflows_fts, 0.0, 10.0, 4.0, 6.0, 2.0) AS score
      FROM workflows_fts CROSS JOIN workflows AS w ON w.id = workflows_fts.workflow_id
      WHERE workflows_fts MATCH ${match}
        AND w.visibility = 'public'
        ${query.category !== undefined ? sql`AND w.category = ${query.category}` : sql``}
    )
    ${after ? sql`WHERE (score, id) > (${after.r}, ${after.i})` : sql``}
    ORDER BY score, id
    LIMIT ${query.limit + 1}`);

  const hasMore = hits.length > query.limit;
  const pageHits = hasMore ? hits.slice(0, query.limit) : hits;
  const rows = pageHits.length
    ? await marketplaceSelect(db).where(
        and(
          inArray(
            workflows.id,
            pageHits.map((h) => h.id),
          ),
          eq(workflows.visibility, "public"),
        ),
      )
    : [];
  const byId = new Map(rows.map((r) => [r.workflow.id, r]));
  const items = pageHits
    .map((h) => byId.get(h.id))
    .filter((r): r is MarketplaceRow => r !== undefined)
    .map((r) => toMarketplaceItem(r, featuredIds));
  const last = pageHits[pageHits.length - 1];
  return {
    items,
    pagination: {
      nextCursor: hasMore && last ? encodeCursor(SEARCH_KIND, { r: last.score, i: last.id }) : null,
      hasMore,
      count: items.length,
    },
  };
}

export async function featuredWorkflows(db: Database, opts: { limit: number; now: Date; featuredIds: ReadonlySet<string> }) {
  const operatorPicked =
    opts.featuredIds.size > 0
      ? or(eq(workflows.featured, true), inArray(workflows.id, [...opts.featuredIds]))!
      : eq(workflows.featured, true);
  const activeSince = new Date(opts.now.getTime() - FEATURED_ACTIVITY_DAYS * 86_400_000).toISOString();
  const topRated = and(gte(workflows.ratingCount, FEATURED_MIN_VOTES), gte(workflows.updatedAt, activeSince))!;
  const rows = await marketplaceSelect(db)
    .where(and(eq(workflows.visibility, "public"), or(operatorPicked, topRated)))
    .orderBy(
      sql`CASE WHEN ${operatorPicked} THEN 0 ELSE 1 END`,
      desc(ratingScore),
      desc(workflows.subscribersCount),
      desc(workflows.updatedAt),
      desc(workflows.id),
    )
    .limit(opts.limit);
  return rows.map((r) => {
    const item = toMarketplaceItem(r, opts.featuredIds);
    return { ...item, featuredReason: item.featured ? ("operator" as const) : ("top_rated" as const) };
  });
}
