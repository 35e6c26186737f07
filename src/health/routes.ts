import { Hono } from "hono";
import type { AppEnv } from "../env";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  return c.json({ status: "ok", service: "hydra-edge", environment: c.var.config.ENVIRONMENT, time: c.var.clock.now().toISOString() });
});
