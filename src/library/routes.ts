import { Hono, type Context } from "hono";
import { refreshDeploymentsForWorkflow } from "../deployments/record";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { validate } from "../http/validate";
import { addToLibraryBody, listLibraryQuery, updateLibraryEntryBody } from "./schemas";
import { addToLibrary, getLibraryEntry, listLibrary, removeFromLibrary, updateLibraryEntry } from "./service";

export const libraryRoutes = new Hono<AppEnv>()
  .get("/", validate("query", listLibraryQuery), async (c) =>
    okPage(c, await listLibrary(c.var.db, c.var.user.id, c.req.valid("query"))),
  )
  .get("/:workflowId", async (c) => ok(c, await getLibraryEntry(c.var.db, c.var.user.id, c.req.param("workflowId"))))
  .post("/:workflowId", validate("json", addToLibraryBody), async (c) => {
    const entry = await addToLibrary(requestContext(c), c.req.param("workflowId"), c.req.valid("json"));
    await refreshServingDeployments(c);
    return ok(c, entry, 201);
  })
  .patch("/:workflowId", validate("json", updateLibraryEntryBody), async (c) => {
    const entry = await updateLibraryEntry(requestContext(c), c.req.param("workflowId"), c.req.valid("json"));
    await refreshServingDeployments(c);
    return ok(c, entry);
  })
  .delete("/:workflowId", async (c) => {
    const removed = await removeFromLibrary(requestContext(c), c.req.param("workflowId"));
    await refreshServingDeployments(c);
    return ok(c, removed);
  });

/** A library entry decides which version (or whether) the caller's own deployments serve a workflow. */
async function refreshServingDeployments(c: Context<AppEnv>) {
  await refreshDeploymentsForWorkflow(c.var.db, c.env.KV, c.req.param("workflowId")!, c.var.clock.now(), c.var.user.id);
}
