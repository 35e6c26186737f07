import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { base64url } from "jose";
import { z } from "zod";
import { ApiError } from "../errors";
import type { Pagination } from "./envelope";

export const DEFAULT_PAGE_SIZE = 20;

/** Cursor key of a newest-first listing: the last row's createdAt and id. */
export const newestFirstCursor = z.object({ c: z.string(), i: z.string() });

/** Rows strictly after the cursor in (createdAt desc, id desc) order; no condition on the first page. */
export function olderThan(createdAt: SQLiteColumn, id: SQLiteColumn, after: { c: string; i: string } | null): SQL | undefined {
  return after ? or(lt(createdAt, after.c), and(eq(createdAt, after.c), lt(id, after.i))) : undefined;
}
export const MAX_PAGE_SIZE = 100;

export const limitParam = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE);

/** Query fields every list endpoint accepts. */
export const pageQuery = z.object({
  limit: limitParam,
  cursor: z.string().max(1000).optional(),
});

/**
 * Cursors are opaque base64url JSON of the last row's sort key (keyset pagination), so rows
 * inserted while a client pages never shift what it has not seen yet. `kind` ties a cursor to
 * the listing (and sort order) that produced it.
 */
export function encodeCursor(kind: string, key: Record<string, string | number | null>): string {
  return base64url.encode(JSON.stringify({ k: kind, ...key }));
}

export function decodeCursor<T extends z.ZodType>(kind: string, cursor: string, schema: T): z.infer<T> {
  const invalid = () =>
    new ApiError("VALIDATION_ERROR", "Invalid pagination cursor", {
      issues: [{ path: "cursor", message: "not a cursor issued by this listing" }],
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(base64url.decode(cursor)));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { k?: unknown }).k !== kind) throw invalid();
  const result = schema.safeParse(parsed);
  if (!result.success) throw invalid();
  return result.data;
}

/**
 * Takes `limit + 1` fetched rows and builds the page; `keyOf` gives the cursor key of the
 * last returned row.
 */
export function buildPage<Row, Item>(
  rows: Row[],
  limit: number,
  kind: string,
  keyOf: (row: Row) => Record<string, string | number | null>,
  toItem: (row: Row) => Item,
): { items: Item[]; pagination: Pagination } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    pagination: {
      nextCursor: hasMore && last ? encodeCursor(kind, keyOf(last)) : null,
      hasMore,
      count: pageRows.length,
    },
  };
}
