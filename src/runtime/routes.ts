import { rpcContextOf } from "./rpc-context";
import { Hono, type Context } from "hono";
import { authenticatedApi } from "../auth/chain";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { handleRpcBody } from "./rpc";
import { parseLastEventId, SSE_HEADERS, type StreamRequest } from "./sse";
import { runtimeMethods } from "./methods";
import { runStub } from "./run-object";
import { userHubStub } from "./user-hub";

/** What a subscriber asks of a Durable Object's event stream, parsed once here. */
const streamRequest = (c: Context<AppEnv>): StreamRequest => ({
  lastEventId: parseLastEventId(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId")),
  heartbeatMs: c.get("config").HEARTBEAT_INTERVAL_MS,
});

/** A Durable Object's event stream as the SSE response (a fresh Response, so middleware may still add headers). */
const sseResponse = (stream: ReadableStream<Uint8Array>) => new Response(stream, { status: 200, headers: SSE_HEADERS });

/** POST /rpc (JSON-RPC 2.0), GET /events (all of the caller's runs), GET /runs/:run_id/events. */
export const runtimeRoutes = new Hono<AppEnv>()
  // Scoped to these paths so other routes (and 404s) never pass through this auth chain twice.
  .use("/rpc", ...authenticatedApi)
  .use("/events", ...authenticatedApi)
  .use("/runs/*", ...authenticatedApi)
  .post("/rpc", async (c) => {
    const body = await c.req.text();
    const ctx = rpcContextOf(c, c.get("user"));
    const response = await handleRpcBody(body, runtimeMethods, ctx, (err) => c.get("log").error("rpc internal error", { error: String(err), stack: (err as Error)?.stack }), {
      maxBytes: c.get("config").MAX_BODY_BYTES,
    });
    // JSON-RPC errors travel in a 200; only-notifications get an empty 204.
    if (response === null) return c.body(null, 204);
    return c.json(response, 200);
  })
  .get("/events", async (c) => {
    return sseResponse(await userHubStub(c.env, c.get("user").id).events(streamRequest(c)));
  })
  .get("/runs/:run_id/events", async (c) => {
    const runId = c.req.param("run_id");
    // No D1 lookup: the run's object knows its owner and answers 404 to anyone else (and for an unknown id).
    if (runId.length > 100) throw notFound("Run", runId.slice(0, 100));
    const stream = await runStub(c.env, runId).events(c.get("user").id, streamRequest(c));
    if (!stream) throw notFound("Run", runId);
    return sseResponse(stream);
  });
