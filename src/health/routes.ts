import { createRoute } from "@hono/zod-openapi";
import { errorResponses, restRouter } from "../openapi/route";
import { healthReportSchema, livenessSchema } from "./schemas";
import { checkHealth } from "./service";

const tags = ["Health"];
const json = <T>(schema: T) => ({ "application/json": { schema } });

export const healthRoutes = restRouter()
  // Liveness for load balancers and the benchmarks' baseline: touches no dependency.
  .openapi(
    createRoute({
      method: "get",
      path: "/live",
      tags,
      summary: "Liveness: answers without touching any dependency",
      security: [],
      responses: { 200: { description: "The Worker runs", content: json(livenessSchema) } },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "Health of the service and its dependencies",
      description: "200 with status \"ok\", or 503 with the same body and status \"degraded\".",
      security: [],
      responses: {
        200: { description: "Every dependency answers", content: json(healthReportSchema) },
        503: { description: "A dependency does not answer (status \"degraded\")", content: json(healthReportSchema) },
        ...errorResponses(["INTERNAL_ERROR"]),
      },
    }),
    async (c) => {
      const report = await checkHealth(c.env, c.get("config"), c.get("log"));
      const body = { ...report, service: "hydra-edge" as const, environment: c.get("config").ENVIRONMENT, time: c.get("clock").now().toISOString() };
      return report.status === "ok" ? c.json(body, 200) : c.json(body, 503);
    },
  );
