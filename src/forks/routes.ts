import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ok } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { validate } from "../http/validate";
import { forkWorkflowBody } from "./schemas";
import { forkWorkflow } from "./service";

/** Mounted under /v1/workflows next to the core workflow routes. */
export const forkRoutes = new Hono<AppEnv>().post("/:workflowId/fork", validate("json", forkWorkflowBody), async (c) => {
  const ctx = { ...requestContext(c), user: c.var.user, upgradeUrl: c.var.config.UPGRADE_URL };
  return ok(c, await forkWorkflow(ctx, c.req.param("workflowId"), c.req.valid("json")), 201);
});
