import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { assertWithinPlanLimit } from "../billing/limits";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { adapterSchema } from "../manifest/schema";
import { errors, idParams, jsonBody, page, restRouter, success } from "../openapi/route";
import {
  adapterToggleBody,
  adapterToggledSchema,
  createDeploymentBody,
  deploymentDeletedSchema,
  deploymentSchema,
  deploymentUsageSchema,
  listDeploymentsQuery,
  renderedPromptsSchema,
  updateDeploymentBody,
  usageQuery,
} from "./schemas";
import {
  createDeployment,
  deleteDeployment,
  getDeployment,
  getOwnedDeployment,
  listDeployments,
  renderedPrompts,
  setAdapter,
  setStatus,
  updateDeployment,
  type DeploymentCtx,
} from "./service";
import { deploymentUsage } from "./usage";
import { dbOf } from "../db/session";

/** The configured public URL wins (behind proxies / custom domains); else the request's origin. */
export function publicBaseUrl(c: Context<AppEnv>): string {
  return c.get("config").PUBLIC_BASE_URL ?? new URL(c.req.url).origin;
}

const ctxOf = (c: Context<AppEnv>): DeploymentCtx => ({ ...requestContext(c), kv: c.env.KV, oauthKv: c.env.OAUTH_KV, baseUrl: publicBaseUrl(c) });

const tags = ["Deployments"];
const params = idParams("deploymentId");

export const deploymentRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List your deployments",
      request: { query: listDeploymentsQuery },
      responses: { 200: page("Your deployments, newest first", deploymentSchema), ...errors("VALIDATION_ERROR") },
    }),
    async (c) => okPage(c, await listDeployments(ctxOf(c), c.req.valid("query"))),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create a deployment (an MCP endpoint)",
      request: { body: jsonBody(createDeploymentBody) },
      responses: {
        201: success("The new deployment with its MCP endpoint", deploymentSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "PLAN_LIMIT_EXCEEDED", "FORBIDDEN", "NOT_FOUND"),
      },
    }),
    async (c) => {
      await assertWithinPlanLimit(dbOf(c), c.get("user"), "deployments", c.get("config").UPGRADE_URL);
      return ok(c, await createDeployment(ctxOf(c), c.req.valid("json")), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{deploymentId}",
      tags,
      summary: "Get a deployment",
      request: { params },
      responses: { 200: success("The deployment", deploymentSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => ok(c, await getDeployment(ctxOf(c), c.req.valid("param").deploymentId)),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{deploymentId}",
      tags,
      summary: "Update a deployment (only the fields given)",
      request: { params, body: jsonBody(updateDeploymentBody) },
      responses: {
        200: success("The updated deployment", deploymentSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "FORBIDDEN"),
      },
    }),
    async (c) => ok(c, await updateDeployment(ctxOf(c), c.req.valid("param").deploymentId, c.req.valid("json"))),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{deploymentId}",
      tags,
      summary: "Delete a deployment",
      request: { params },
      responses: { 200: success("The deployment is deleted", deploymentDeletedSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => ok(c, await deleteDeployment(ctxOf(c), c.req.valid("param").deploymentId)),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{deploymentId}/adapters",
      tags,
      summary: "Enable or disable one adapter",
      request: { params, body: jsonBody(adapterToggleBody) },
      responses: {
        200: success("The adapters now enabled", adapterToggledSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND"),
      },
    }),
    async (c) => {
      const { adapter, enabled } = c.req.valid("json");
      return ok(c, await setAdapter(ctxOf(c), c.req.valid("param").deploymentId, adapter, enabled));
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{deploymentId}/activate",
      tags,
      summary: "Activate a deployment",
      request: { params },
      responses: { 200: success("The active deployment", deploymentSchema), ...errors("NOT_FOUND", "PLAN_LIMIT_EXCEEDED") },
    }),
    async (c) => ok(c, await setStatus(ctxOf(c), c.req.valid("param").deploymentId, "active")),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{deploymentId}/deactivate",
      tags,
      summary: "Deactivate a deployment",
      request: { params },
      responses: { 200: success("The inactive deployment (its MCP endpoint answers 423)", deploymentSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => ok(c, await setStatus(ctxOf(c), c.req.valid("param").deploymentId, "inactive")),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{deploymentId}/usage",
      tags,
      summary: "Connection usage of a deployment",
      request: { params, query: usageQuery },
      responses: { 200: success("Connections in the period, by adapter and by day", deploymentUsageSchema), ...errors("VALIDATION_ERROR", "NOT_FOUND") },
    }),
    async (c) => {
      const row = await getOwnedDeployment(dbOf(c), c.req.valid("param").deploymentId, c.get("user").id);
      return ok(c, await deploymentUsage(dbOf(c), row.id, c.get("user").plan, c.req.valid("query").period, c.get("clock").now()));
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{deploymentId}/prompts/{adapter}",
      tags,
      summary: "The rendered prompt for one adapter",
      request: { params: params.extend({ adapter: adapterSchema }) },
      responses: { 200: success("What the adapter receives", renderedPromptsSchema), ...errors("VALIDATION_ERROR", "NOT_FOUND") },
    }),
    async (c) => {
      const { deploymentId, adapter } = c.req.valid("param");
      return ok(c, await renderedPrompts(ctxOf(c), deploymentId, adapter));
    },
  );
