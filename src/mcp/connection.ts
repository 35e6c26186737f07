import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { rememberBounded } from "../env";
import { sha256Hex } from "../services";
import { mcpClientHours } from "../db/schema";
import type { DeploymentRecord } from "../deployments/record";
import { countConnection } from "../deployments/usage";
import type { Adapter } from "../manifest/schema";

/**
 * What a "connection" is for a 2026-07-28 client, which never sends initialize: the first
 * request of a client identity (credential subject, or the caller's IP on an anonymous
 * deployment, plus clientInfo.name) on a deployment in a UTC hour. That first request counts
 * against the monthly plan limit exactly like an initialize does.
 *
 * Cost: every modern request asks the location's Cache API (not KV, not D1) whether this
 * identity-hour was seen. Only on a miss does D1 run: one INSERT OR IGNORE into
 * `mcp_client_hours` that makes the count exact across locations, and, when the row is new,
 * the usual plan check and usage upsert. On *.workers.dev the Cache API stores nothing, so
 * there every modern request pays that one insert.
 *
 * In front of the Cache API, each isolate remembers the identity-hours it has already seen
 * counted (bounded, oldest first out; an hour's entries are useless after it), so a client's
 * repeat requests to the same isolate cost one Map lookup. It only ever skips counting a
 * connection that was counted; it answers nothing to anyone.
 */
export interface ModernConnection {
  /** Opened only when the connection is counted (a repeat request reads no D1). */
  db: () => Database;
  record: DeploymentRecord;
  adapter: Adapter;
  identity: string;
  now: Date;
  upgradeUrl?: string;
}


const COUNTED_ENTRIES = 4096;
const countedHere = new Map<string, true>();
const rememberCounted = (key: string) => rememberBounded(countedHere, key, true, COUNTED_ENTRIES);

export async function countModernConnection(conn: ModernConnection): Promise<void> {
  const { record, now } = conn;
  const hour = now.toISOString().slice(0, 13);
  const memoKey = JSON.stringify([record.deploymentId, hour, conn.identity]);
  if (countedHere.has(memoKey)) return;
  const clientKey = await sha256Hex(conn.identity);
  const seenKey = new Request(`https://mcp-connections.invalid/${record.deploymentId}/${hour}/${clientKey}`);
  const cache = await caches.open("mcp-connections");
  if (await cache.match(seenKey)) return rememberCounted(memoKey);

  const db = conn.db();
  const inserted = await db
    .insert(mcpClientHours)
    .values({ deploymentId: record.deploymentId, hour, clientKey })
    .onConflictDoNothing()
    .returning({ hour: mcpClientHours.hour });
  if (inserted.length > 0) {
    try {
      await countConnection(db, record.ownerId, record.deploymentId, conn.adapter, now, conn.upgradeUrl);
    } catch (err) {
      // Over the plan limit: forget the hour so the next request is refused as well.
      await db
        .delete(mcpClientHours)
        .where(and(eq(mcpClientHours.deploymentId, record.deploymentId), eq(mcpClientHours.hour, hour), eq(mcpClientHours.clientKey, clientKey)));
      throw err;
    }
  }
  const secondsLeft = 3600 - Math.floor((now.getTime() % 3_600_000) / 1000);
  await cache.put(seenKey, new Response("1", { headers: { "Cache-Control": `max-age=${secondsLeft}` } }));
  rememberCounted(memoKey);
}
