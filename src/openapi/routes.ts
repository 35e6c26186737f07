import type { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { buildOpenApiDocument } from "./document";

/**
 * Public and unthrottled: the document holds nothing a client could not read from the README.
 * Built from the app it is mounted on, so it is always the routes' own description.
 */
export const openApiRoutes = (app: OpenAPIHono<AppEnv, any, any>) =>
  new Hono<AppEnv>().get("/", (c) => c.json(buildOpenApiDocument(app, c.get("config"), new URL(c.req.url).origin)));
