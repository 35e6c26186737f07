import { Hono } from "hono";
import type { AppEnv } from "../env";
import { checkHealth } from "./service";

/** 200 when every dependency answers, 503 (same body, status "degraded") when one does not. */
export const healthRoutes = new Hono<AppEnv>()
  // Liveness for load balancers and the benchmarks' baseline: touches no dependency.
  .get("/live", (c) => c.json({ status: "ok" }))
  .get("/", async (c) => {
  const report = await checkHealth(c.env, c.var.config);
  return c.json(
    {
      ...report,
      service: "hydra-edge",
      environment: c.var.config.ENVIRONMENT,
      time: c.var.clock.now().toISOString(),
    },
    report.status === "ok" ? 200 : 503,
  );
});
