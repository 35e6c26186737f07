import { Hono, type Context } from "hono";
import { assertWithinPlanLimit } from "../billing/limits";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { parseOrThrow, validate } from "../http/validate";
import { adapterSchema } from "../manifest/schema";
import { adapterToggleBody, createDeploymentBody, listDeploymentsQuery, updateDeploymentBody, usageQuery } from "./schemas";
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

/** The configured public URL wins (behind proxies / custom domains); else the request's origin. */
export function publicBaseUrl(c: Context<AppEnv>): string {
  return c.var.config.PUBLIC_BASE_URL ?? new URL(c.req.url).origin;
}

const ctxOf = (c: Context<AppEnv>): DeploymentCtx => ({ ...requestContext(c), kv: c.env.KV, oauthKv: c.env.OAUTH_KV, baseUrl: publicBaseUrl(c) });

export const deploymentRoutes = new Hono<AppEnv>()
  .get("/", validate("query", listDeploymentsQuery), async (c) => okPage(c, await listDeployments(ctxOf(c), c.req.valid("query"))))
  .post("/", validate("json", createDeploymentBody), async (c) => {
    await assertWithinPlanLimit(c.var.db, c.var.user, "deployments", c.var.config.UPGRADE_URL);
    return ok(c, await createDeployment(ctxOf(c), c.req.valid("json")), 201);
  })
  .get("/:deploymentId", async (c) => ok(c, await getDeployment(ctxOf(c), c.req.param("deploymentId"))))
  .put("/:deploymentId", validate("json", updateDeploymentBody), async (c) =>
    ok(c, await updateDeployment(ctxOf(c), c.req.param("deploymentId"), c.req.valid("json"))),
  )
  .delete("/:deploymentId", async (c) => ok(c, await deleteDeployment(ctxOf(c), c.req.param("deploymentId"))))
  .post("/:deploymentId/adapters", validate("json", adapterToggleBody), async (c) => {
    const { adapter, enabled } = c.req.valid("json");
    return ok(c, await setAdapter(ctxOf(c), c.req.param("deploymentId"), adapter, enabled));
  })
  .post("/:deploymentId/activate", async (c) => ok(c, await setStatus(ctxOf(c), c.req.param("deploymentId"), "active")))
  .post("/:deploymentId/deactivate", async (c) => ok(c, await setStatus(ctxOf(c), c.req.param("deploymentId"), "inactive")))
  .get("/:deploymentId/usage", validate("query", usageQuery), async (c) => {
    const row = await getOwnedDeployment(c.var.db, c.req.param("deploymentId"), c.var.user.id);
    return ok(c, await deploymentUsage(c.var.db, row.id, c.var.user.plan, c.req.valid("query").period, c.var.clock.now()));
  })
  .get("/:deploymentId/prompts/:adapter", async (c) => {
    const adapter = parseOrThrow(adapterSchema, c.req.param("adapter"), "adapter");
    return ok(c, await renderedPrompts(ctxOf(c), c.req.param("deploymentId"), adapter));
  });
