import { Hono } from "hono";
import { assertWithinPlanLimit } from "../billing/limits";
import { deploymentIdsServing, refreshDeployments, refreshDeploymentsForWorkflow } from "../deployments/record";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { validate } from "../http/validate";
import { getVisibleWorkflow, getVisibleWorkflowDetail, getWorkflowVersion } from "./access";
import { toWorkflowDetail } from "./dto";
import { createWorkflowBody, listWorkflowsQuery, updateWorkflowBody } from "./schemas";
import { createWorkflow, deleteWorkflow, listOwnWorkflows, listVersions, updateWorkflow } from "./service";

export const workflowRoutes = new Hono<AppEnv>()
  .get("/", validate("query", listWorkflowsQuery), async (c) =>
    okPage(c, await listOwnWorkflows(c.var.db, c.var.user.id, c.req.valid("query"))),
  )
  .post("/", validate("json", createWorkflowBody), async (c) => {
    await assertWithinPlanLimit(c.var.db, c.var.user, "workflows", c.var.config.UPGRADE_URL);
    return ok(c, await createWorkflow(requestContext(c), c.req.valid("json")), 201);
  })
  .get("/:workflowId", async (c) => {
    const { row, manifest } = await getVisibleWorkflowDetail(c.var.db, c.req.param("workflowId"), c.var.user.id);
    return ok(c, toWorkflowDetail(row, manifest));
  })
  .put("/:workflowId", validate("json", updateWorkflowBody), async (c) => {
    const { row, manifest } = await updateWorkflow(requestContext(c), c.req.param("workflowId"), c.req.valid("json"));
    // Deployments serving this workflow re-render now, so MCP clients see the new version.
    await refreshDeploymentsForWorkflow(c.var.db, c.env.KV, row.id, c.var.clock.now());
    return ok(c, toWorkflowDetail(row, manifest));
  })
  .delete("/:workflowId", async (c) => {
    const servedBy = await deploymentIdsServing(c.var.db, c.req.param("workflowId"));
    const row = await deleteWorkflow(requestContext(c), c.req.param("workflowId"));
    await refreshDeployments(c.var.db, c.env.KV, servedBy, c.var.clock.now());
    return ok(c, { workflowId: row.id, deleted: true });
  })
  .get("/:workflowId/versions", async (c) => {
    const row = await getVisibleWorkflow(c.var.db, c.req.param("workflowId"), c.var.user.id);
    return ok(c, await listVersions(c.var.db, row.id));
  })
  .get("/:workflowId/versions/:version", async (c) => {
    const row = await getVisibleWorkflow(c.var.db, c.req.param("workflowId"), c.var.user.id);
    const version = await getWorkflowVersion(c.var.db, row.id, c.req.param("version"));
    if (!version) throw notFound("Workflow version", c.req.param("version"));
    return ok(c, {
      workflowId: row.id,
      version: version.version,
      manifest: version.manifest,
      changelog: version.changelog,
      createdAt: version.createdAt,
    });
  });
