import { Hono } from "hono";
import { authenticatedApi } from "../auth/chain";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { handleRpcBody } from "./rpc";
import { runStub, runtimeMethods } from "./service";
import { userHubStub } from "./user-hub";

/** Internal request to a Durable Object's SSE endpoint, carrying the caller and stream settings. */
function streamRequest(c: { req: { header(name: string): string | undefined; query(name: string): string | undefined } }, userId: string, heartbeatMs: number) {
  const lastEventId = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId") ?? "";
  return new Request("https://runtime.internal/events", {
    headers: { "Last-Event-ID": lastEventId, "X-Hydra-User": userId, "X-Heartbeat-Ms": String(heartbeatMs) },
  });
}

/** A stream from a Durable Object, re-wrapped so middleware may still add headers. */
const relay = (res: Response) => new Response(res.body, { status: res.status, headers: new Headers(res.headers) });

/** POST /rpc (JSON-RPC 2.0), GET /events (all of the caller's runs), GET /runs/:run_id/events. */
export const runtimeRoutes = new Hono<AppEnv>()
  // Scoped to these paths so other routes (and 404s) never pass through this auth chain twice.
  .use("/rpc", ...authenticatedApi)
  .use("/events", ...authenticatedApi)
  .use("/runs/*", ...authenticatedApi)
  .post("/rpc", async (c) => {
    const body = await c.req.text();
    const ctx = { env: c.env, db: c.var.db, config: c.var.config, user: c.var.user, now: c.var.clock.now() };
    const response = await handleRpcBody(body, runtimeMethods, ctx, (err) =>
      console.error(JSON.stringify({ level: "error", requestId: c.var.requestId, msg: "rpc internal error", error: String(err), stack: (err as Error)?.stack })),
      { maxBytes: c.var.config.MAX_BODY_BYTES },
    );
    // JSON-RPC errors travel in a 200; only-notifications get an empty 204.
    if (response === null) return c.body(null, 204);
    return c.json(response, 200);
  })
  .get("/events", async (c) => {
    const hub = userHubStub(c.env, c.var.user.id);
    return relay(await hub.fetch(streamRequest(c, c.var.user.id, c.var.config.HEARTBEAT_INTERVAL_MS)));
  })
  .get("/runs/:run_id/events", async (c) => {
    const runId = c.req.param("run_id");
    // No D1 lookup: the run's object knows its owner and answers 404 to anyone else (and for an unknown id).
    if (runId.length > 100) throw notFound("Run", runId.slice(0, 100));
    const res = await runStub(c.env, runId).fetch(streamRequest(c, c.var.user.id, c.var.config.HEARTBEAT_INTERVAL_MS));
    if (res.status === 404) throw notFound("Run", runId);
    return relay(res);
  });
