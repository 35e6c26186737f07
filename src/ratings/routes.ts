import { createRoute } from "@hono/zod-openapi";
import { ok } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { errors, idParams, jsonBody, restRouter, success } from "../openapi/route";
import { rateWorkflowBody, ratingRemovedSchema, ratingSchema } from "./schemas";
import { getMyRating, rateWorkflow, removeRating } from "./service";
import { dbOf } from "../db/session";

const tags = ["Workflows"];
const params = idParams("workflowId");

/** Mounted under /v1/workflows next to the core workflow routes. */
export const ratingRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/{workflowId}/rating",
      tags,
      summary: "Your rating of a workflow",
      request: { params },
      responses: { 200: success("Your rating (null when you have not rated) and the workflow's stats", ratingSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => ok(c, await getMyRating(dbOf(c), c.get("user").id, c.req.valid("param").workflowId)),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{workflowId}/rating",
      tags,
      summary: "Rate a workflow (1–5)",
      request: { params, body: jsonBody(rateWorkflowBody) },
      responses: {
        200: success("Your rating and the recounted stats", ratingSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "FORBIDDEN"),
      },
    }),
    async (c) => ok(c, await rateWorkflow(requestContext(c), c.req.valid("param").workflowId, c.req.valid("json"))),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{workflowId}/rating",
      tags,
      summary: "Remove your rating",
      request: { params },
      responses: { 200: success("The rating is removed", ratingRemovedSchema), ...errors("NOT_FOUND", "FORBIDDEN") },
    }),
    async (c) => ok(c, { ...(await removeRating(requestContext(c), c.req.valid("param").workflowId)), deleted: true as const }),
  );
