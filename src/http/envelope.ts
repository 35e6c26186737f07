import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface Pagination {
  nextCursor: string | null;
  hasMore: boolean;
  count: number;
}

export function ok<T, S extends ContentfulStatusCode = 200>(c: Context, data: T, status?: S) {
  return c.json({ success: true as const, data }, (status ?? 200) as S);
}

export function okPage<T>(c: Context, page: { items: T[]; pagination: Pagination }) {
  return c.json({ success: true as const, data: page.items, pagination: page.pagination }, 200);
}
