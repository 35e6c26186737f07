import { z } from "@hono/zod-openapi";

const probe = z.object({
  status: z.enum(["ok", "error"]),
  latency_ms: z.number(),
  error: z.string().optional().describe("A short cause, never the binding's internals"),
});

const sister = z.enum(["ok", "degraded", "not_connected"]);

export const healthReportSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    uptime_seconds: z.number(),
    dependencies: z.object({
      d1: probe,
      kv: probe,
      durable_objects: probe,
      llm_provider: z.object({ status: z.enum(["configured", "not_configured"]), model: z.string().optional() }),
    }),
    sisters: z.object({
      d1: sister,
      kv: sister,
      durable_objects: sister,
      llm_provider: sister,
    }),
    service: z.literal("hydra-edge"),
    environment: z.enum(["development", "test", "production"]),
    time: z.string(),
  })
  .openapi("HealthReport");

export const livenessSchema = z.object({ status: z.literal("ok") });
