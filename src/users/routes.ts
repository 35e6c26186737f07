import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { getUserProfile } from "./service";

export const userRoutes = new Hono<AppEnv>().get("/me", async (c) => {
  const profile = await getUserProfile(c.var.db, c.var.user.id);
  if (!profile) throw notFound("User");
  return ok(c, profile);
});
