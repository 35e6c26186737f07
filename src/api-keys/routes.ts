import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { errors, idParams, jsonBody, restRouter, success } from "../openapi/route";
import { apiKeySchema, createApiKeyBody, createdApiKeySchema, revokedApiKeySchema } from "./schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

const tags = ["API keys"];

export const apiKeyRoutes = restRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create an API key (the secret is shown once)",
      request: { body: jsonBody(createApiKeyBody) },
      responses: { 201: success("The new key, with its secret", createdApiKeySchema), ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE") },
    }),
    async (c) => {
      const { name } = c.req.valid("json");
      const created = await createApiKey(c.var.db, c.var.user.id, name, c.var.ids.create("key"), c.var.clock.now());
      return ok(c, created, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List your API keys",
      responses: { 200: success("Your keys, newest first (never their secrets)", z.array(apiKeySchema)), ...errors() },
    }),
    async (c) => ok(c, await listApiKeys(c.var.db, c.var.user.id)),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{keyId}",
      tags,
      summary: "Revoke an API key",
      request: { params: idParams("keyId") },
      responses: { 200: success("The key is revoked", revokedApiKeySchema), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const { keyId } = c.req.valid("param");
      if (!(await revokeApiKey(c.var.db, c.var.user.id, keyId))) throw notFound("API key", keyId);
      return ok(c, { id: keyId, revoked: true as const });
    },
  );
