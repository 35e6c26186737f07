import { Hono } from "hono";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { validate } from "../http/validate";
import { addToLibraryBody, listLibraryQuery, updateLibraryEntryBody } from "./schemas";
import { addToLibrary, getLibraryEntry, listLibrary, removeFromLibrary, updateLibraryEntry } from "./service";

const serviceCtx = (c: { var: AppEnv["Variables"] }) => ({
  db: c.var.db,
  ids: c.var.ids,
  now: c.var.clock.now(),
  userId: c.var.user.id,
});

export const libraryRoutes = new Hono<AppEnv>()
  .get("/", validate("query", listLibraryQuery), async (c) =>
    okPage(c, await listLibrary(c.var.db, c.var.user.id, c.req.valid("query"))),
  )
  .get("/:workflowId", async (c) => ok(c, await getLibraryEntry(c.var.db, c.var.user.id, c.req.param("workflowId"))))
  .post("/:workflowId", validate("json", addToLibraryBody), async (c) =>
    ok(c, await addToLibrary(serviceCtx(c), c.req.param("workflowId"), c.req.valid("json")), 201),
  )
  .patch("/:workflowId", validate("json", updateLibraryEntryBody), async (c) =>
    ok(c, await updateLibraryEntry(serviceCtx(c), c.req.param("workflowId"), c.req.valid("json"))),
  )
  .delete("/:workflowId", async (c) => ok(c, await removeFromLibrary(serviceCtx(c), c.req.param("workflowId"))));
