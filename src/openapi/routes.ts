import { Hono } from "hono";
import type { AppEnv } from "../env";
import { buildOpenApiDocument } from "./document";

/** Public and unthrottled: the document holds nothing a client could not read from the README. */
export const openApiRoutes = new Hono<AppEnv>().get("/", (c) =>
  c.json(buildOpenApiDocument(c.var.config, new URL(c.req.url).origin)),
);
