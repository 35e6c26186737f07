import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ok } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { validate } from "../http/validate";
import { rateWorkflowBody } from "./schemas";
import { getMyRating, rateWorkflow, removeRating } from "./service";


/** Mounted under /v1/workflows next to the core workflow routes. */
export const ratingRoutes = new Hono<AppEnv>()
  .get("/:workflowId/rating", async (c) => ok(c, await getMyRating(c.var.db, c.var.user.id, c.req.param("workflowId"))))
  .put("/:workflowId/rating", validate("json", rateWorkflowBody), async (c) =>
    ok(c, await rateWorkflow(requestContext(c), c.req.param("workflowId"), c.req.valid("json"))),
  )
  .delete("/:workflowId/rating", async (c) => ok(c, await removeRating(requestContext(c), c.req.param("workflowId"))));
