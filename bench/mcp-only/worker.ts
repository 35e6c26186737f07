/**
 * Bench-only bundle-size probe: a Worker with nothing but our `/mcp` path and the per-request
 * context it needs (config, D1 handle for the rare fallbacks, clock), mirroring createApp() in
 * src/app.ts. Never served; `bench/mcp-compare.mjs` only builds it to weigh the MCP path alone.
 */
import { Hono } from "hono";
import { createDatabase } from "../../src/db/client";
import { configSchema, type AppEnv } from "../../src/env";
import { errorResponse, toApiError } from "../../src/errors";
import { mcpRoutes } from "../../src/mcp/routes";
import { systemClock, randomIds } from "../../src/services";

const app = new Hono<AppEnv>();
app.onError((err, c) => errorResponse(c, toApiError(err)));
app.use("*", async (c, next) => {
  c.set("config", configSchema.parse(c.env));
  c.set("db", createDatabase(c.env.DB));
  c.set("clock", systemClock);
  c.set("ids", randomIds);
  await next();
});
app.route("/mcp", mcpRoutes);

export default { fetch: app.fetch };
