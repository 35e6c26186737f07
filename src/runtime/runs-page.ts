import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Database } from "../db/client";
import { runs } from "../db/schema";
import { decodeCursor, encodeCursor, newestFirstCursor, olderThan } from "../http/pagination";
import { invalidParams } from "./rpc";
import { runSummary } from "./runs-store";

const CURSOR_KIND = "runs";

/**
 * hydra.runs: the caller's runs newest first, keyset-paginated (rows started while a client
 * pages never shift what it has not seen). Summaries from D1; hydra.status has the details.
 */
export async function listRunPage(db: Database, userId: string, p: { limit: number; cursor?: string | undefined; status?: string | undefined; workflow_id?: string | undefined }) {
  let after: { c: string; i: string } | null = null;
  if (p.cursor) {
    try {
      after = decodeCursor(CURSOR_KIND, p.cursor, newestFirstCursor);
    } catch {
      throw invalidParams("Invalid params", { issues: [{ path: "cursor", message: "not a cursor issued by hydra.runs" }] });
    }
  }
  const conditions: (SQL | undefined)[] = [eq(runs.userId, userId), olderThan(runs.createdAt, runs.id, after)];
  if (p.status) conditions.push(eq(runs.status, p.status));
  if (p.workflow_id) conditions.push(eq(runs.workflowId, p.workflow_id));
  const rows = await db
    .select()
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(p.limit + 1)
    .all();
  const hasMore = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  const last = page.at(-1);
  return {
    runs: page.map(runSummary),
    next_cursor: hasMore && last ? encodeCursor(CURSOR_KIND, { c: last.createdAt, i: last.id }) : null,
    has_more: hasMore,
  };
}
