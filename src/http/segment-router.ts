import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/** `/v1/workflows` → `v1`. */
function firstSegment(path: string): string {
  const end = path.indexOf("/", 1);
  return path.slice(1, end === -1 ? undefined : end);
}

/** The first path segment of a route when it is literal (`/v1/...` → `v1`), else null (`/*`, `/:id`). */
function literalFirstSegment(path: string): string | null {
  if (!path.startsWith("/")) return null;
  const segment = firstSegment(path);
  return /[:*{?]/.test(segment) ? null : segment;
}

const newRouter = <T>(): Router<T> => new SmartRouter<T>({ routers: [new RegExpRouter<T>(), new TrieRouter<T>()] });

/**
 * Hono's router, one per first path segment. Hono's fast RegExpRouter refuses a literal and a
 * parameter side by side (the dashboard's `/workflows/new` and `/workflows/:id`); with one
 * router for all 230 routes that sent every request, API and health checks included, through
 * the slower TrieRouter (a fifth of `/health/live`'s CPU). Split by first segment, each group
 * gets the fastest router it allows. A request can only match routes of its own segment or
 * routes whose first segment is not literal (added to every group, in order), so it matches
 * exactly the routes, in exactly the order, one router would.
 */
export class SegmentRouter<T> implements Router<T> {
  name = "SegmentRouter";
  private readonly groups = new Map<string, Router<T>>();
  private readonly anySegment: [string, string, T][] = [];
  private readonly fallback = newRouter<T>();

  add(method: string, path: string, handler: T): void {
    const segment = literalFirstSegment(path);
    if (segment === null) {
      this.anySegment.push([method, path, handler]);
      for (const router of this.groups.values()) router.add(method, path, handler);
      this.fallback.add(method, path, handler);
      return;
    }
    let router = this.groups.get(segment);
    if (!router) {
      router = newRouter<T>();
      for (const route of this.anySegment) router.add(...route);
      this.groups.set(segment, router);
    }
    router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const router = this.groups.get(firstSegment(path)) ?? this.fallback;
    return router.match(method, path);
  }
}
