import type { AppEnv } from "../env";

/** The per-request services a feature service needs, taken once from the Hono context. */
export function requestContext(c: { var: AppEnv["Variables"] }) {
  return { db: c.var.db, ids: c.var.ids, now: c.var.clock.now(), userId: c.var.user.id };
}

export type RequestContext = ReturnType<typeof requestContext>;
