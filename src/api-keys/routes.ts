import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { validate } from "../http/validate";
import { createApiKeyBody } from "./schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

export const apiKeyRoutes = new Hono<AppEnv>()
  .post("/", validate("json", createApiKeyBody), async (c) => {
    const { name } = c.req.valid("json");
    const created = await createApiKey(c.var.db, c.var.user.id, name, c.var.ids.create("key"), c.var.clock.now());
    return ok(c, created, 201);
  })
  .get("/", async (c) => ok(c, await listApiKeys(c.var.db, c.var.user.id)))
  .delete("/:keyId", async (c) => {
    const keyId = c.req.param("keyId");
    if (!(await revokeApiKey(c.var.db, c.var.user.id, keyId))) throw notFound("API key", keyId);
    return ok(c, { id: keyId, revoked: true });
  });
