import type { Hono } from "hono";
import type { RouterRoute } from "hono/types";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * Methods that have a real handler (not only `use` middleware) for this path. Lets an
 * unmatched request on a known path answer 405 with `Allow` instead of a misleading 404.
 */
export function allowedMethods(app: Hono<any>, path: string): string[] {
  const allowed = METHODS.filter((method) => {
    const [matches] = app.router.match(method, path) as unknown as [[[unknown, RouterRoute], unknown][]];
    return matches.some(([[, route]]) => route.method === method);
  });
  return allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
}
