import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { errors, idParams, jsonBody, restRouter, success } from "../openapi/route";
import { apiKeySchema, createApiKeyBody, createdApiKeySchema, revokedApiKeySchema } from "./schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";
import { dbOf } from "../db/session";

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
      const created = await createApiKey(dbOf(c), c.get("user").id, name, c.get("ids").create("key"), c.get("clock").now());
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
    async (c) => ok(c, await listApiKeys(dbOf(c), c.get("user").id)),
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
      if (!(await revokeApiKey(dbOf(c), c.get("user").id, keyId))) throw notFound("API key", keyId);
      return ok(c, { id: keyId, revoked: true as const });
    },
  );
