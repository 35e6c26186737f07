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
