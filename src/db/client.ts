import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** Over the database or one D1 session (drizzle only calls `prepare` and `batch`, which a session has). */
export function createDatabase(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

export type Database = ReturnType<typeof createDatabase>;
