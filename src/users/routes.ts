import { Hono } from "hono";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ok } from "../http/envelope";
import { validate } from "../http/validate";
import { deleteAccount } from "./deletion";
import { updateProfileBody } from "./schemas";
import { getUserProfile, updateProfile } from "./service";

export const userRoutes = new Hono<AppEnv>()
  .get("/me", async (c) => {
    const profile = await getUserProfile(c.var.db, c.var.user.id);
    if (!profile) throw notFound("User");
    return ok(c, profile);
  })
  .patch("/me", validate("json", updateProfileBody), async (c) => {
    await updateProfile(c.var.db, c.var.user.id, c.req.valid("json"), c.var.clock.now());
    return ok(c, (await getUserProfile(c.var.db, c.var.user.id))!);
  })
  .delete("/me", async (c) =>
    ok(
      c,
      await deleteAccount(
        { db: c.var.db, kv: c.env.KV, oauthKv: c.env.OAUTH_KV, config: c.var.config, stripeEgress: c.env.STRIPE_API, runtime: c.env, now: c.var.clock.now() },
        c.var.user.id,
      ),
    ),
  );
