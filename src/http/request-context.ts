import { dbOf, type RequestHolder } from "../db/session";

/** The per-request services a feature service needs, taken once from the Hono context. */
export function requestContext(c: RequestHolder) {
  return { db: dbOf(c), ids: c.get("ids"), now: c.get("clock").now(), userId: c.get("user").id };
}

export type RequestContext = ReturnType<typeof requestContext>;
