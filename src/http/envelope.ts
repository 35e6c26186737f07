import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface Pagination {
  nextCursor: string | null;
  hasMore: boolean;
  count: number;
}

export function ok<T>(c: Context, data: T, status: ContentfulStatusCode = 200) {
  return c.json({ success: true as const, data }, status);
}

export function okPage<T>(c: Context, page: { items: T[]; pagination: Pagination }) {
  return c.json({ success: true as const, data: page.items, pagination: page.pagination }, 200);
}
