import { createRoute } from "@hono/zod-openapi";
import { ok } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { errors, idParams, jsonBody, restRouter, success } from "../openapi/route";
import { workflowDetailSchema } from "../workflows/schemas";
import { forkWorkflowBody } from "./schemas";
import { forkWorkflow } from "./service";

/** Mounted under /v1/workflows next to the core workflow routes. */
export const forkRoutes = restRouter().openapi(
  createRoute({
    method: "post",
    path: "/{workflowId}/fork",
    tags: ["Workflows"],
    summary: "Fork a workflow into your account",
    request: { params: idParams("workflowId"), body: jsonBody(forkWorkflowBody) },
    responses: {
      201: success("Your fork: a private workflow at 1.0.0 with `forkedFrom` set", workflowDetailSchema),
      ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "PLAN_LIMIT_EXCEEDED"),
    },
  }),
  async (c) => {
    const ctx = { ...requestContext(c), user: c.get("user"), upgradeUrl: c.get("config").UPGRADE_URL };
    return ok(c, await forkWorkflow(ctx, c.req.valid("param").workflowId, c.req.valid("json")), 201);
  },
);
