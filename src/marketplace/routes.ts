import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { ok, okPage } from "../http/envelope";
import { errors, page, restRouter, success } from "../openapi/route";
import { browseQuery, featuredQuery, marketplaceItemSchema, searchQuery } from "./schemas";
import { browseMarketplace, featuredIdsOf, featuredWorkflows, searchMarketplace } from "./service";
import { dbOf } from "../db/session";

const tags = ["Marketplace"];

export const marketplaceRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Browse public workflows",
      request: { query: browseQuery },
      responses: { 200: page("Public workflows in the chosen order", marketplaceItemSchema), ...errors("VALIDATION_ERROR") },
    }),
    async (c) => okPage(c, await browseMarketplace(dbOf(c), c.req.valid("query"), featuredIdsOf(c.get("config")))),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/search",
      tags,
      summary: "Search public workflows",
      request: { query: searchQuery },
      responses: { 200: page("Matching public workflows, best first", marketplaceItemSchema), ...errors("VALIDATION_ERROR") },
    }),
    async (c) => okPage(c, await searchMarketplace(dbOf(c), c.req.valid("query"), featuredIdsOf(c.get("config")))),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/featured",
      tags,
      summary: "Featured public workflows",
      request: { query: featuredQuery },
      responses: { 200: success("Featured workflows", z.array(marketplaceItemSchema)), ...errors("VALIDATION_ERROR") },
    }),
    async (c) =>
      ok(
        c,
        await featuredWorkflows(dbOf(c), {
          limit: c.req.valid("query").limit,
          now: c.get("clock").now(),
          featuredIds: featuredIdsOf(c.get("config")),
        }),
      ),
  );
