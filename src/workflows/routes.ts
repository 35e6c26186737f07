import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { assertWithinPlanLimit } from "../billing/limits";
import { deploymentIdsServing, refreshDeployments, refreshDeploymentsForWorkflow } from "../deployments/publish";
import { notFound } from "../errors";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { errors, idParams, jsonBody, page, restRouter, success } from "../openapi/route";
import { getVisibleWorkflow, getVisibleWorkflowDetail, getWorkflowVersion } from "./access";
import { toWorkflowDetail } from "./dto";
import {
  createWorkflowBody,
  listWorkflowsQuery,
  updateWorkflowBody,
  workflowDeletedSchema,
  workflowDetailSchema,
  workflowSummarySchema,
  workflowVersionDetailSchema,
  workflowVersionSchema,
} from "./schemas";
import { createWorkflow, deleteWorkflow, listOwnWorkflows, listVersions, updateWorkflow } from "./service";
import { dbOf } from "../db/session";

const tags = ["Workflows"];
const params = idParams("workflowId");

export const workflowRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List your workflows",
      request: { query: listWorkflowsQuery },
      responses: { 200: page("Your workflows, newest first", workflowSummarySchema), ...errors("VALIDATION_ERROR") },
    }),
    async (c) => okPage(c, await listOwnWorkflows(dbOf(c), c.get("user").id, c.req.valid("query"))),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create a workflow from an HMS manifest",
      request: { body: jsonBody(createWorkflowBody) },
      responses: {
        201: success("The new workflow at its first version", workflowDetailSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "PLAN_LIMIT_EXCEEDED", "CONFLICT"),
      },
    }),
    async (c) => {
      await assertWithinPlanLimit(dbOf(c), c.get("user"), "workflows", c.get("config").UPGRADE_URL);
      return ok(c, await createWorkflow(requestContext(c), c.req.valid("json")), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{workflowId}",
      tags,
      summary: "Get a workflow",
      request: { params },
      responses: { 200: success("The workflow with its current manifest", workflowDetailSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const { row, manifest } = await getVisibleWorkflowDetail(dbOf(c), c.req.valid("param").workflowId, c.get("user").id);
      return ok(c, toWorkflowDetail(row, manifest));
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/{workflowId}",
      tags,
      summary: "Update a workflow (fields left out keep their values; a new manifest makes a new version)",
      request: { params, body: jsonBody(updateWorkflowBody) },
      responses: {
        200: success("The updated workflow", workflowDetailSchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "FORBIDDEN", "CONFLICT"),
      },
    }),
    async (c) => {
      const { row, manifest } = await updateWorkflow(requestContext(c), c.req.valid("param").workflowId, c.req.valid("json"));
      // Deployments serving this workflow re-render now, so MCP clients see the new version.
      await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, row.id, c.get("clock").now());
      return ok(c, toWorkflowDetail(row, manifest));
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{workflowId}",
      tags,
      summary: "Delete a workflow",
      request: { params },
      responses: { 200: success("The workflow is deleted", workflowDeletedSchema), ...errors("NOT_FOUND", "FORBIDDEN") },
    }),
    async (c) => {
      const { workflowId } = c.req.valid("param");
      const servedBy = await deploymentIdsServing(dbOf(c), workflowId);
      const row = await deleteWorkflow(requestContext(c), workflowId);
      await refreshDeployments(dbOf(c), c.env.KV, servedBy, c.get("clock").now());
      return ok(c, { workflowId: row.id, deleted: true as const });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{workflowId}/versions",
      tags,
      summary: "List a workflow's versions",
      request: { params },
      responses: { 200: success("Its versions, newest first", z.array(workflowVersionSchema)), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const row = await getVisibleWorkflow(dbOf(c), c.req.valid("param").workflowId, c.get("user").id);
      return ok(c, await listVersions(dbOf(c), row.id));
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{workflowId}/versions/{version}",
      tags,
      summary: "Get one version with its manifest",
      request: { params: idParams("workflowId", "version") },
      responses: { 200: success("The version", workflowVersionDetailSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const { workflowId, version: wanted } = c.req.valid("param");
      const row = await getVisibleWorkflow(dbOf(c), workflowId, c.get("user").id);
      const version = await getWorkflowVersion(dbOf(c), row.id, wanted);
      if (!version) throw notFound("Workflow version", wanted);
      return ok(c, {
        workflowId: row.id,
        version: version.version,
        manifest: version.manifest,
        changelog: version.changelog,
        createdAt: version.createdAt,
      });
    },
  );
