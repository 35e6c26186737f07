import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { refreshDeploymentsForWorkflow } from "../deployments/publish";
import type { AppEnv } from "../env";
import { ok, okPage } from "../http/envelope";
import { requestContext } from "../http/request-context";
import { errors, idParams, jsonBody, page, restRouter, success } from "../openapi/route";
import {
  addToLibraryBody,
  libraryEntryDetailSchema,
  libraryEntryRemovedSchema,
  libraryEntrySchema,
  listLibraryQuery,
  updateLibraryEntryBody,
} from "./schemas";
import { addToLibrary, getLibraryEntry, listLibrary, removeFromLibrary, updateLibraryEntry } from "./service";
import { dbOf } from "../db/session";

const tags = ["Library"];
const params = idParams("workflowId");

export const libraryRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List your library",
      request: { query: listLibraryQuery },
      responses: { 200: page("Your library entries, newest first", libraryEntrySchema), ...errors("VALIDATION_ERROR") },
    }),
    async (c) => okPage(c, await listLibrary(dbOf(c), c.get("user").id, c.req.valid("query"))),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{workflowId}",
      tags,
      summary: "Get a library entry",
      request: { params },
      responses: { 200: success("The entry with the manifest it serves", libraryEntryDetailSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => ok(c, await getLibraryEntry(dbOf(c), c.get("user").id, c.req.valid("param").workflowId)),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{workflowId}",
      tags,
      summary: "Add a workflow to your library",
      request: { params, body: jsonBody(addToLibraryBody) },
      responses: {
        201: success("The new entry", libraryEntrySchema),
        ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND", "CONFLICT"),
      },
    }),
    async (c) => {
      const entry = await addToLibrary(requestContext(c), c.req.valid("param").workflowId, c.req.valid("json"));
      await refreshServingDeployments(c);
      return ok(c, entry, 201);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{workflowId}",
      tags,
      summary: "Update a library entry",
      request: { params, body: jsonBody(updateLibraryEntryBody) },
      responses: { 200: success("The updated entry", libraryEntrySchema), ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE", "NOT_FOUND") },
    }),
    async (c) => {
      const entry = await updateLibraryEntry(requestContext(c), c.req.valid("param").workflowId, c.req.valid("json"));
      await refreshServingDeployments(c);
      return ok(c, entry);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{workflowId}",
      tags,
      summary: "Remove a workflow from your library",
      request: { params },
      responses: { 200: success("The entry is removed", libraryEntryRemovedSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const removed = await removeFromLibrary(requestContext(c), c.req.valid("param").workflowId);
      await refreshServingDeployments(c);
      return ok(c, { ...removed, deleted: true as const });
    },
  );

/** A library entry decides which version (or whether) the caller's own deployments serve a workflow. */
async function refreshServingDeployments(c: Context<AppEnv>) {
  await refreshDeploymentsForWorkflow(dbOf(c), c.env.KV, c.req.param("workflowId")!, c.get("clock").now(), c.get("user").id);
}
