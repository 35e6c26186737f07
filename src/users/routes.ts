import { createRoute } from "@hono/zod-openapi";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { errors, jsonBody, restRouter, success } from "../openapi/route";
import { accountDeletionDeps, deleteAccount } from "./deletion";
import { accountDeletedSchema, updateProfileBody, userProfileSchema } from "./schemas";
import { getUserProfile, updateProfile } from "./service";
import { dbOf } from "../db/session";

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
      const profile = await getUserProfile(dbOf(c), c.get("user").id);
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
      await updateProfile(dbOf(c), c.get("user").id, c.req.valid("json"), c.get("clock").now());
      return ok(c, (await getUserProfile(dbOf(c), c.get("user").id))!);
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
          c.get("user").id,
        ),
      ),
  );
