import { createDatabase, type Database } from "./client";

/**
 * D1 read replication through the Sessions API. A client carries the bookmark of its last
 * response in `x-d1-bookmark`, so a replica serving its next request is at least as new as
 * everything it has seen (a user reads their own writes). Without one, reads may go to any
 * replica and writes start at the primary.
 */
export const BOOKMARK_HEADER = "x-d1-bookmark";

/** D1 bookmarks are dash-separated hex groups; anything else is ignored rather than sent to D1. */
const BOOKMARK = /^[0-9a-f]{1,64}(?:-[0-9a-f]{1,64}){1,7}$/i;

export function openSession(d1: D1Database, method: string, bookmark: string | undefined): D1DatabaseSession {
  if (bookmark && BOOKMARK.test(bookmark)) return d1.withSession(bookmark);
  return d1.withSession(method === "GET" || method === "HEAD" ? "first-unconstrained" : "first-primary");
}

/**
 * Moves the request onto a session at least as new as `bookmark` (a write made for this request
 * outside its session, e.g. the user row created by the user's Durable Object).
 */
export function reopenSession(c: SessionHolder, bookmark: string) {
  useSession(c, c.env.DB.withSession(bookmark));
}

type SessionHolder = { env: { DB: D1Database }; set(key: "dbSession", value: D1DatabaseSession): void; set(key: "db", value: Database): void };

/** The request's queries go through `session` (its bookmark is the one answered). */
export function useSession(c: SessionHolder, session: D1DatabaseSession) {
  c.set("dbSession", session);
  c.set("db", createDatabase(session));
}
