import { drizzle } from "drizzle-orm/d1";

/**
 * Over the database or one D1 session (drizzle only calls `prepare` and `batch`, which a session
 * has). No `schema` option: it only serves drizzle's relational `db.query` API, which is unused,
 * and building its table config cost ~0.1 ms of CPU on every request.
 */
export function createDatabase(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database);
}

export type Database = ReturnType<typeof createDatabase>;
