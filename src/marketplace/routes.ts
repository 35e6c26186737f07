import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { validate } from "../http/validate";
import { browseQuery, featuredQuery, searchQuery } from "./schemas";
import { browseMarketplace, featuredWorkflows, searchMarketplace } from "./service";

const featuredIdsOf = (c: { var: AppEnv["Variables"] }) => new Set(c.var.config.FEATURED_WORKFLOW_IDS);

export const marketplaceRoutes = new Hono<AppEnv>()
  .get("/", validate("query", browseQuery), async (c) =>
    okPage(c, await browseMarketplace(c.var.db, c.req.valid("query"), featuredIdsOf(c))),
  )
  .get("/search", validate("query", searchQuery), async (c) =>
    okPage(c, await searchMarketplace(c.var.db, c.req.valid("query"), featuredIdsOf(c))),
  )
  .get("/featured", validate("query", featuredQuery), async (c) =>
    ok(
      c,
      await featuredWorkflows(c.var.db, {
        limit: c.req.valid("query").limit,
        now: c.var.clock.now(),
        featuredIds: featuredIdsOf(c),
      }),
    ),
  );
