import { createRoute } from "@hono/zod-openapi";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { errors, jsonBody, restRouter, success } from "../openapi/route";
import { accountDeletionDeps, deleteAccount } from "./deletion";
import { accountDeletedSchema, updateProfileBody, userProfileSchema } from "./schemas";
import { getUserProfile, updateProfile } from "./service";

const tags = ["Users"];

export const userRoutes = restRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/me",
      tags,
      summary: "Your profile",
      responses: { 200: success("Your profile", userProfileSchema), ...errors("NOT_FOUND") },
    }),
    async (c) => {
      const profile = await getUserProfile(c.var.db, c.var.user.id);
      if (!profile) throw notFound("User");
      return ok(c, profile);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/me",
      tags,
      summary: "Update your profile",
      request: { body: jsonBody(updateProfileBody) },
      responses: { 200: success("Your updated profile", userProfileSchema), ...errors("VALIDATION_ERROR", "PAYLOAD_TOO_LARGE") },
    }),
    async (c) => {
      await updateProfile(c.var.db, c.var.user.id, c.req.valid("json"), c.var.clock.now());
      return ok(c, (await getUserProfile(c.var.db, c.var.user.id))!);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/me",
      tags,
      summary: "Delete your account and everything it owns",
      responses: { 200: success("What was deleted", accountDeletedSchema), ...errors("SERVICE_UNAVAILABLE") },
    }),
    async (c) =>
      ok(
        c,
        await deleteAccount(
          accountDeletionDeps(c),
          c.var.user.id,
        ),
      ),
  );
