import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { apiKeyRoutes } from "./api-keys/routes";
import { identify, requireUser } from "./auth/middleware";
import { createDatabase } from "./db/client";
import { configSchema, type AppEnv } from "./env";
import { ApiError, errorResponse, toApiError } from "./errors";
import { healthRoutes } from "./health/routes";
import { issuesOf } from "./http/validate";
import { rateLimit } from "./ratelimit/middleware";
import { runtimeRoutes } from "./runtime/routes";
import { randomIds, systemClock, type Clock, type IdGenerator } from "./services";
import { userRoutes } from "./users/routes";
import { workflowRoutes } from "./workflows/routes";

export interface AppOptions {
  clock?: Clock;
  ids?: IdGenerator;
}

/** The one app factory: the Worker and the tests build the same middleware and routes. */
export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.code === "INTERNAL_ERROR") {
      console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), error: String(err), stack: (err as Error)?.stack }));
    }
    return errorResponse(c, apiError);
  });
  app.notFound((c) => errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`)));

  app.use(
    "*",
    createMiddleware<AppEnv>(async (c, next) => {
      const requestId = c.req.header("CF-Ray") ?? crypto.randomUUID();
      c.set("requestId", requestId);
      const parsed = configSchema.safeParse(c.env);
      if (!parsed.success) {
        console.error(JSON.stringify({ level: "error", msg: "invalid configuration", issues: issuesOf(parsed.error) }));
        throw new ApiError("INTERNAL_ERROR", "The server is misconfigured");
      }
      c.set("config", parsed.data);
      c.set("db", createDatabase(c.env.DB));
      c.set("clock", options.clock ?? systemClock);
      c.set("ids", options.ids ?? randomIds);
      await next();
      c.header("X-Request-Id", requestId);
    }),
  );
  app.use("*", async (c, next) =>
    bodyLimit({
      maxSize: c.var.config.MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `Request body exceeds ${c.var.config.MAX_BODY_BYTES} bytes`, {
          maxBytes: c.var.config.MAX_BODY_BYTES,
        });
      },
    })(c, next),
  );

  app.route("/health", healthRoutes);

  // Every /v1 route: identify → rate limit (per user, else per IP) → require a user.
  const v1 = new Hono<AppEnv>();
  v1.use("*", identify, rateLimit, requireUser);
  v1.route("/users", userRoutes);
  v1.route("/api-keys", apiKeyRoutes);
  v1.route("/workflows", workflowRoutes);
  app.route("/v1", v1);
  // Agent runtime outside /v1, as its contract gives the paths: /rpc, /events, /runs/:id/events.
  app.route("/", runtimeRoutes);

  return app;
}
