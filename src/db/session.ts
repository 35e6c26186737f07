import type { Context } from "hono";
import type { AppEnv } from "../env";
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

export type RequestHolder = Pick<Context<AppEnv>, "env" | "get" | "set" | "req">;

function openSession(c: RequestHolder): D1DatabaseSession {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  if (bookmark && BOOKMARK.test(bookmark)) return c.env.DB.withSession(bookmark);
  return c.env.DB.withSession(c.req.method === "GET" || c.req.method === "HEAD" ? "first-unconstrained" : "first-primary");
}

/**
 * The request's database. Its D1 session (and drizzle over it) is opened on first use, so a
 * request that reads no D1 (a health check, an MCP request served from the record cache)
 * builds neither: that was a tenth of such a request's CPU.
 */
export function dbOf(c: RequestHolder): Database {
  return c.get("db") ?? useSession(c, openSession(c));
}

/** The bookmark to answer, when the request opened a session. */
export const bookmarkOf = (c: Pick<Context<AppEnv>, "get">): string | null => c.get("dbSession")?.getBookmark() ?? null;

/**
 * Moves the request onto a session at least as new as `bookmark` (a write made for this request
 * outside its session, e.g. the user row created by the user's Durable Object).
 */
export function reopenSession(c: SessionHolder, bookmark: string) {
  useSession(c, c.env.DB.withSession(bookmark));
}

type SessionHolder = { env: { DB: D1Database }; set(key: "dbSession", value: D1DatabaseSession): void; set(key: "db", value: Database): void };

/** The request's queries go through `session` (its bookmark is the one answered). */
function useSession(c: SessionHolder, session: D1DatabaseSession): Database {
  const db = createDatabase(session);
  c.set("dbSession", session);
  c.set("db", db);
  return db;
}
