import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { Context, Next } from "hono";
import { apiKeyRoutes } from "./api-keys/routes";
import { billingRoutes } from "./billing/routes";
import { webhookRoutes } from "./billing/webhook";
import { authenticatedApi } from "./auth/chain";
import { BOOKMARK_HEADER, bookmarkOf } from "./db/session";
import { dashboardRoutes } from "./dashboard/routes";
import { notFoundPage, wantsHtml } from "./dashboard/errors";
import { deploymentRoutes } from "./deployments/routes";
import { derivedOnce, parseConfig, type AppEnv, type Config } from "./env";
import { ApiError, errorResponse, toApiError, type ErrorCode } from "./errors";
import { forkRoutes } from "./forks/routes";
import { healthRoutes } from "./health/routes";
import { JSONRPC, isJsonRpcPath, jsonRpcError } from "./http/jsonrpc";
import { allowedMethods } from "./http/method-not-allowed";
import { SegmentRouter } from "./http/segment-router";
import { issuesOf } from "./http/validate";
import { libraryRoutes } from "./library/routes";
import { requestLogger } from "./log";
import { marketplaceRoutes } from "./marketplace/routes";
import { mcpRoutes } from "./mcp/routes";
import { oauthRoutes } from "./oauth/routes";
import { openApiRoutes } from "./openapi/routes";
import { ratingRoutes } from "./ratings/routes";
import { runtimeRoutes } from "./runtime/routes";
import { randomIds, systemClock, type Clock, type IdGenerator } from "./services";
import { userRoutes } from "./users/routes";
import { workflowRoutes } from "./workflows/routes";

/**
 * Errors that concern the JSON-RPC message itself (its size, or a crash while answering it);
 * transport-level refusals before the message is read (401, 403 origin, 404 deployment, 405,
 * 415, 423, 429) keep the documented REST envelope on /rpc and /mcp.
 */
const JSONRPC_CODE_OF: Partial<Record<ErrorCode, number>> = {
  PAYLOAD_TOO_LARGE: JSONRPC.INVALID_REQUEST,
  INTERNAL_ERROR: JSONRPC.INTERNAL_ERROR,
};

/**
 * A header on the finished response. Hono's `c.header` copies the whole Response once the
 * handler has answered; setting it in place is enough unless the headers are immutable
 * (a response passed through from fetch or a Durable Object).
 */
function setFinalHeader(c: Context, name: string, value: string) {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}

export interface AppOptions {
  clock?: Clock;
  ids?: IdGenerator;
}

/** The one app factory: the Worker and the tests build the same middleware and routes. */
export function createApp(options: AppOptions = {}) {
  // Not strict: `/v1/workflows/` is the same resource as `/v1/workflows`, not a 404.
  const app = new OpenAPIHono<AppEnv>({ strict: false, router: new SegmentRouter() });

  const answerError = (err: unknown, c: Context<AppEnv>) => {
    const apiError = toApiError(err);
    if (apiError.code === "INTERNAL_ERROR") {
      (c.get("log") ?? requestLogger(c.get("requestId") ?? "unknown")).error("unhandled error", { error: String(err), stack: (err as Error)?.stack });
    }
    // A crash or an oversized message on a JSON-RPC endpoint is a JSON-RPC error, not the REST envelope.
    const rpcCode = isJsonRpcPath(c.req.path) ? JSONRPC_CODE_OF[apiError.code] : undefined;
    if (rpcCode !== undefined) {
      const data = Object.keys(apiError.details).length > 0 ? apiError.details : undefined;
      return c.json(jsonRpcError(null, rpcCode, apiError.message, data), apiError.status);
    }
    return errorResponse(c, apiError);
  };
  app.onError(answerError);
  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0) {
      return errorResponse(
        c,
        new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not supported on ${c.req.path}`, { allowed }, { Allow: allowed.join(", ") }),
      );
    }
    // Dashboard: a browser gets the dashboard's 404 page; every other client the JSON envelope.
    if (wantsHtml(c)) return notFoundPage(c);
    return errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
  });

  const tooLarge = (maxBytes: number) =>
    new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${maxBytes} bytes (MAX_BODY_BYTES)`, { limit: "MAX_BODY_BYTES", maxBytes });
  // Built once per (immutable, per-env) config, like the CORS handler below.
  const countedLimitOf = derivedOnce((config: Config) =>
    bodyLimit({
      maxSize: config.MAX_BODY_BYTES,
      onError: () => {
        throw tooLarge(config.MAX_BODY_BYTES);
      },
    }),
  );
  // A plain function, not an async middleware: the common case adds no suspension of its own.
  const limitBody = (c: Context<AppEnv>, next: Next) => {
    const maxBytes = c.get("config").MAX_BODY_BYTES;
    // A declared length decides at once, as in Hono's bodyLimit, without touching the body
    // stream; a chunked body is counted as it streams.
    const declared = c.req.header("Content-Length");
    if (declared !== undefined && c.req.header("Transfer-Encoding") === undefined) {
      if (Number.parseInt(declared, 10) > maxBytes) throw tooLarge(maxBytes);
      return next();
    }
    return countedLimitOf(c.get("config"))(c, next);
  };
  // REST routes take the limit after auth and rate limiting (below), so a 413 carries X-RateLimit-* too.
  const limitedInV1 = (path: string) => (path === "/v1" || path.startsWith("/v1/")) && !path.startsWith("/v1/billing/webhook");
  // GET and HEAD carry no body; skipping them saves the limiter's stream checks on the hottest routes.
  const hasBody = (method: string) => method !== "GET" && method !== "HEAD";
  // One middleware for every request (each layer of Hono's chain costs a closure and a dispatch
  // step, measurable on /health/live): context, then the body limit outside /v1, then headers.
  app.use(
    "*",
    createMiddleware<AppEnv>(async (c, next) => {
      const requestId = c.req.header("CF-Ray") ?? crypto.randomUUID();
      const log = requestLogger(requestId);
      c.set("requestId", requestId);
      c.set("log", log);
      const parsed = parseConfig(c.env);
      if (!parsed.success) {
        log.error("invalid configuration", { issues: issuesOf(parsed.error) });
        throw new ApiError("INTERNAL_ERROR", "The server is misconfigured");
      }
      c.set("config", parsed.data);
      c.set("clock", options.clock ?? systemClock);
      c.set("ids", options.ids ?? randomIds);
      if (limitedInV1(c.req.path) || !hasBody(c.req.method)) await next();
      else {
        // Called directly rather than as a layer of the chain, so its refusal (413) is answered here.
        try {
          await limitBody(c, next);
        } catch (err) {
          c.res = answerError(err, c);
        }
      }
      setFinalHeader(c, "X-Request-Id", requestId);
      // Only a request that used D1 has a session (src/db/session.ts), maybe replaced on the way.
      const bookmark = bookmarkOf(c);
      if (bookmark) setFinalHeader(c, BOOKMARK_HEADER, bookmark);
    }),
  );

  app.route("/health", healthRoutes);
  app.route("/openapi.json", openApiRoutes(app));
  // MCP authenticates per deployment (owner or anonymous) and reads one KV record per request.
  app.route("/mcp", mcpRoutes);
  // OAuth sign-in for IDEs: discovery, registration, tokens and the authorization page. Its
  // tokens are only ever accepted by /mcp (src/oauth/mcp-access.ts); /v1 and /rpc refuse them.
  app.route("/", oauthRoutes);

  // Browser dashboards call the API with a Bearer header (no cookies), so CORS may be open.
  // Built once per (immutable, per-env) config rather than on every request.
  const corsOf = derivedOnce((config: Config) =>
    cors({
      origin: config.CORS_ORIGINS ?? "*",
      allowHeaders: ["Authorization", "Content-Type", BOOKMARK_HEADER],
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "X-Request-Id", BOOKMARK_HEADER],
      maxAge: 600,
    }),
  );
  app.use("/v1/*", (c, next) => corsOf(c.get("config"))(c, next));

  // Registered before the /v1 sub-app so it answers first: Stripe signs it, no user auth, no rate limit.
  app.route("/v1/billing/webhook", webhookRoutes);

  // Every /v1 route: identify → rate limit (per user, else per IP) → require a user → body limit.
  const v1 = new OpenAPIHono<AppEnv>();
  v1.use("*", ...authenticatedApi, async (c, next) => (hasBody(c.req.method) ? limitBody(c, next) : next()));
  v1.route("/users", userRoutes);
  v1.route("/api-keys", apiKeyRoutes);
  v1.route("/workflows", workflowRoutes);
  v1.route("/workflows", forkRoutes);
  v1.route("/workflows", ratingRoutes);
  v1.route("/marketplace", marketplaceRoutes);
  v1.route("/library", libraryRoutes);
  v1.route("/billing", billingRoutes);
  v1.route("/deployments", deploymentRoutes);
  app.route("/v1", v1);
  // ── Dashboard (src/dashboard/) ── explicit page paths only; mounted before the runtime so
  // `/runs` and `/runs/:id` are pages, while `/runs/:id/events` stays the runtime's SSE route.
  app.route("/", dashboardRoutes(app));
  // ── end Dashboard ──
  // Agent runtime outside /v1, as its contract gives the paths: /rpc, /events, /runs/:id/events.
  app.route("/", runtimeRoutes);

  return app;
}
